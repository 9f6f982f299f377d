using Sanmenxia.HealthCode;
using Sanmenxia.Residents;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Villages;

/// <summary>What one resident adds to a village's counts on the counted day.</summary>
internal readonly record struct Contribution(CodeColour Colour, bool Applied, bool ClockedInToday, bool Fever, int OpenNeeds,
    KeyPersonFlags KeyPersons, IsolationKind Isolation, KeyPersonTotals Register);

/// <summary>
/// A village's counts: each resident's contribution on the counted day, and their sum. Colours are projected from each
/// summary's code state to the counted day (the same pure rule the resident uses), so the counts are right the moment
/// a day ends, before any resident's reminder has ticked.
/// </summary>
internal sealed class VillageCounter(HealthCodePolicy policy)
{
    private readonly Dictionary<string, Contribution> _contributions = new(StringComparer.Ordinal);
    private Tally _tally;

    /// <summary>The day counted; <see cref="CountAll"/> again when the calendar's day differs.</summary>
    public DateOnly Day { get; private set; }

    public void CountAll(DateOnly day, IEnumerable<ResidentSummary> residents)
    {
        Day = day;
        _tally = default;
        _contributions.Clear();
        foreach (var summary in residents) Add(summary);
    }

    /// <summary>Replaces the resident's contribution with this summary's (a removal only takes the old one out).</summary>
    public void Count(ResidentSummary summary)
    {
        if (_contributions.Remove(summary.ResidentKey, out var old)) _tally.Subtract(old);
        if (!summary.Removed) Add(summary);
    }

    public Contribution Of(string residentKey) => _contributions[residentKey];

    public RegionCounts ToCounts(int villages) => _tally.ToCounts(villages);

    private void Add(ResidentSummary summary)
    {
        var contribution = Contribute(summary);
        _contributions[summary.ResidentKey] = contribution;
        _tally.Add(contribution);
    }

    private Contribution Contribute(ResidentSummary s)
    {
        var code = s.Code;
        var colour = CodeColour.None;
        if (code.IsApplied)
        {
            // Project the end of every day that has ended: the same pure rule the resident uses.
            var projected = HealthCodeRules.CloseDaysThrough(policy, code, Day.AddDays(-1)).State;
            colour = HealthCodeRules.DisplayedColour(policy, projected);
        }
        return new Contribution(colour, code.IsApplied, code.LastClockInDay == Day,
            code.Blockers.HasFlag(Blocker.Fever), s.OpenNeeds, s.KeyPersons, s.Isolation, KeyPersonTotals.From(s.Marks, Day));
    }

    private struct Tally
    {
        private int _residents, _applied, _green, _yellow, _red, _clockedIn, _fever, _isolated, _home, _central, _needs;
        private int _outside, _hubei, _wuhan, _contacts, _feverNoExposure;
        private KeyPersonTotals? _register;

        public void Add(Contribution c) => Apply(c, +1);
        public void Subtract(Contribution c) => Apply(c, -1);

        private void Apply(Contribution c, int sign)
        {
            _residents += sign;
            if (c.Applied) _applied += sign;
            if (c.Colour == CodeColour.Green) _green += sign;
            if (c.Colour == CodeColour.Yellow) _yellow += sign;
            if (c.Colour == CodeColour.Red) _red += sign;
            if (c.ClockedInToday) _clockedIn += sign;
            if (c.Fever) _fever += sign;
            if (c.Isolation is IsolationKind.Home or IsolationKind.Central) _isolated += sign;
            if (c.Register != KeyPersonTotals.Zero) _register = (_register ?? KeyPersonTotals.Zero) + (sign > 0 ? c.Register : -c.Register);
            if (c.Isolation == IsolationKind.Home) _home += sign;
            if (c.Isolation == IsolationKind.Central) _central += sign;
            _needs += sign * c.OpenNeeds;
            if (c.KeyPersons.HasFlag(KeyPersonFlags.FromOutsideCity)) _outside += sign;
            if (c.KeyPersons.HasFlag(KeyPersonFlags.FromHubei)) _hubei += sign;
            if (c.KeyPersons.HasFlag(KeyPersonFlags.FromWuhan)) _wuhan += sign;
            if (c.KeyPersons.HasFlag(KeyPersonFlags.CloseContact)) _contacts += sign;
            if (c.KeyPersons.HasFlag(KeyPersonFlags.FeverNoExposure)) _feverNoExposure += sign;
        }

        public readonly RegionCounts ToCounts(int villages) => new()
        {
            Residents = _residents, Applied = _applied, Green = _green, Yellow = _yellow, Red = _red,
            ClockedInToday = _clockedIn, Fever = _fever, Isolated = _isolated, IsolatedHome = _home,
            IsolatedCentral = _central, OpenNeeds = _needs, FromOutsideCity = _outside, FromHubei = _hubei,
            FromWuhan = _wuhan, CloseContacts = _contacts, FeverNoExposure = _feverNoExposure, Villages = villages,
            KeyPersonDetail = _register ?? KeyPersonTotals.Zero,
        };
    }
}
