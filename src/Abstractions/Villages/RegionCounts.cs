namespace Sanmenxia.Villages;

/// <summary>
/// The counts a village keeps and every region above it sums. A total is always the sum of its children.
/// New counters take new [Id]s; old stored counts read them as zero.
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.RegionCounts")]
public sealed record RegionCounts
{
    public static RegionCounts Zero { get; } = new();
    [Id(0)] public int Residents { get; init; }
    [Id(1)] public int Applied { get; init; }
    [Id(2)] public int Green { get; init; }
    [Id(3)] public int Yellow { get; init; }
    [Id(4)] public int Red { get; init; }
    [Id(5)] public int ClockedInToday { get; init; }
    [Id(6)] public int Fever { get; init; }
    [Id(7)] public int Isolated { get; init; }
    [Id(8)] public int OpenNeeds { get; init; }
    [Id(9)] public int FromOutsideCity { get; init; }
    [Id(10)] public int FromHubei { get; init; }
    [Id(11)] public int FromWuhan { get; init; }
    [Id(12)] public int CloseContacts { get; init; }
    [Id(13)] public int FeverNoExposure { get; init; }
    [Id(14)] public int IsolatedHome { get; init; }
    [Id(15)] public int IsolatedCentral { get; init; }
    [Id(16)] public int Villages { get; init; }
    /// <summary>Platform 4's register in detail: per category open/new today/released today/ever, and isolation.</summary>
    [Id(17)] public KeyPersonTotals KeyPersonDetail { get; init; } = KeyPersonTotals.Zero;
    /// <summary>Platform 5: today's checkpoint passes in the region (checkpoints report to their region with <c>ReportCheckpointAsync</c>).</summary>
    [Id(18)] public global::Sanmenxia.Checkpoints.CheckpointTotals Checkpoints { get; init; } = global::Sanmenxia.Checkpoints.CheckpointTotals.Zero;
    /// <summary>Platforms 1 and 6: the tickets located in the region (today's, cumulative, open, overdue); see docs/tickets.md.</summary>
    [Id(120)] public global::Sanmenxia.Tickets.TicketCounts Tickets { get; init; } = global::Sanmenxia.Tickets.TicketCounts.Zero;

    public static RegionCounts operator +(RegionCounts a, RegionCounts b) => new()
    {
        Residents = a.Residents + b.Residents, Applied = a.Applied + b.Applied, Green = a.Green + b.Green,
        Yellow = a.Yellow + b.Yellow, Red = a.Red + b.Red, ClockedInToday = a.ClockedInToday + b.ClockedInToday,
        Fever = a.Fever + b.Fever, Isolated = a.Isolated + b.Isolated, OpenNeeds = a.OpenNeeds + b.OpenNeeds,
        FromOutsideCity = a.FromOutsideCity + b.FromOutsideCity, FromHubei = a.FromHubei + b.FromHubei,
        FromWuhan = a.FromWuhan + b.FromWuhan, CloseContacts = a.CloseContacts + b.CloseContacts,
        FeverNoExposure = a.FeverNoExposure + b.FeverNoExposure, IsolatedHome = a.IsolatedHome + b.IsolatedHome,
        IsolatedCentral = a.IsolatedCentral + b.IsolatedCentral, Villages = a.Villages + b.Villages,
        KeyPersonDetail = (a.KeyPersonDetail ?? KeyPersonTotals.Zero) + (b.KeyPersonDetail ?? KeyPersonTotals.Zero),
        Checkpoints = (a.Checkpoints ?? global::Sanmenxia.Checkpoints.CheckpointTotals.Zero) + (b.Checkpoints ?? global::Sanmenxia.Checkpoints.CheckpointTotals.Zero),
        Tickets = a.Tickets + b.Tickets,
    };
}

/// <summary>One category's register counts.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CategoryCounts")]
public sealed record CategoryCounts
{
    public static CategoryCounts Zero { get; } = new();
    /// <summary>Entries open now (confirmed, not released).</summary>
    [Id(0)] public int Open { get; init; }
    [Id(1)] public int NewToday { get; init; }
    [Id(2)] public int ReleasedToday { get; init; }
    /// <summary>Entries ever confirmed in this category.</summary>
    [Id(3)] public int Ever { get; init; }

    public static CategoryCounts operator +(CategoryCounts a, CategoryCounts b) => new()
    {
        Open = a.Open + b.Open, NewToday = a.NewToday + b.NewToday, ReleasedToday = a.ReleasedToday + b.ReleasedToday, Ever = a.Ever + b.Ever,
    };

    public static CategoryCounts operator -(CategoryCounts a) => new() { Open = -a.Open, NewToday = -a.NewToday, ReleasedToday = -a.ReleasedToday, Ever = -a.Ever };
}

[GenerateSerializer, Immutable, Alias("sanmenxia.KeyPersonTotals")]
public sealed record KeyPersonTotals
{
    public static KeyPersonTotals Zero { get; } = new();
    [Id(0)] public CategoryCounts FromOutsideCity { get; init; } = CategoryCounts.Zero;
    [Id(1)] public CategoryCounts FromHubei { get; init; } = CategoryCounts.Zero;
    [Id(2)] public CategoryCounts FromWuhan { get; init; } = CategoryCounts.Zero;
    [Id(3)] public CategoryCounts CloseContact { get; init; } = CategoryCounts.Zero;
    [Id(4)] public CategoryCounts FeverNoExposure { get; init; } = CategoryCounts.Zero;
    /// <summary>Isolation entries (home or central) in isolation now, released, and ever (docs/domain.md: 595 / 5,019 / 5,614).</summary>
    [Id(5)] public int IsolatedNow { get; init; }
    [Id(6)] public int IsolationReleased { get; init; }
    [Id(7)] public int IsolationEver { get; init; }
    /// <summary>Entries from backend comparisons or trip matches waiting for village staff.</summary>
    [Id(8)] public int PendingConfirmation { get; init; }
    /// <summary>Observation periods extended because of symptoms, for staff to look at.</summary>
    [Id(9)] public int NeedsReview { get; init; }
    /// <summary>
    /// Of <see cref="PendingConfirmation"/> (the possible exposures awaiting the village's decision), those whose decision
    /// deadline passed: escalated, so the township and the dashboard see them.
    /// </summary>
    [Id(10)] public int PendingOverdue { get; init; }

    public CategoryCounts this[KeyPersons.KeyPersonCategory category] => category switch
    {
        KeyPersons.KeyPersonCategory.FromOutsideCity => FromOutsideCity,
        KeyPersons.KeyPersonCategory.FromHubei => FromHubei,
        KeyPersons.KeyPersonCategory.FromWuhan => FromWuhan,
        KeyPersons.KeyPersonCategory.CloseContact => CloseContact,
        _ => FeverNoExposure,
    };

    public static KeyPersonTotals operator +(KeyPersonTotals a, KeyPersonTotals b) => new()
    {
        FromOutsideCity = a.FromOutsideCity + b.FromOutsideCity, FromHubei = a.FromHubei + b.FromHubei, FromWuhan = a.FromWuhan + b.FromWuhan,
        CloseContact = a.CloseContact + b.CloseContact, FeverNoExposure = a.FeverNoExposure + b.FeverNoExposure,
        IsolatedNow = a.IsolatedNow + b.IsolatedNow, IsolationReleased = a.IsolationReleased + b.IsolationReleased,
        IsolationEver = a.IsolationEver + b.IsolationEver, PendingConfirmation = a.PendingConfirmation + b.PendingConfirmation,
        NeedsReview = a.NeedsReview + b.NeedsReview, PendingOverdue = a.PendingOverdue + b.PendingOverdue,
    };

    public static KeyPersonTotals operator -(KeyPersonTotals a) => new()
    {
        FromOutsideCity = -a.FromOutsideCity, FromHubei = -a.FromHubei, FromWuhan = -a.FromWuhan, CloseContact = -a.CloseContact,
        FeverNoExposure = -a.FeverNoExposure, IsolatedNow = -a.IsolatedNow, IsolationReleased = -a.IsolationReleased,
        IsolationEver = -a.IsolationEver, PendingConfirmation = -a.PendingConfirmation, NeedsReview = -a.NeedsReview,
        PendingOverdue = -a.PendingOverdue,
    };

    /// <summary>What one resident's register marks add to the counts on a given day.</summary>
    public static KeyPersonTotals From(IReadOnlyList<KeyPersons.KeyPersonMark>? marks, DateOnly today)
    {
        if (marks is null || marks.Count == 0) return Zero;
        var totals = Zero;
        foreach (var m in marks)
        {
            var confirmed = m.Status is KeyPersons.KeyPersonStatus.Open or KeyPersons.KeyPersonStatus.Released;
            var one = new CategoryCounts
            {
                Open = m.Status == KeyPersons.KeyPersonStatus.Open ? 1 : 0,
                NewToday = confirmed && m.OpenedOn == today ? 1 : 0,
                ReleasedToday = m.Status == KeyPersons.KeyPersonStatus.Released && m.ClosedOn == today ? 1 : 0,
                Ever = confirmed ? 1 : 0,
            };
            var isolation = confirmed && m.Measure is KeyPersons.ControlMeasure.HomeIsolation or KeyPersons.ControlMeasure.CentralIsolation;
            totals += new KeyPersonTotals
            {
                FromOutsideCity = m.Category == KeyPersons.KeyPersonCategory.FromOutsideCity ? one : CategoryCounts.Zero,
                FromHubei = m.Category == KeyPersons.KeyPersonCategory.FromHubei ? one : CategoryCounts.Zero,
                FromWuhan = m.Category == KeyPersons.KeyPersonCategory.FromWuhan ? one : CategoryCounts.Zero,
                CloseContact = m.Category == KeyPersons.KeyPersonCategory.CloseContact ? one : CategoryCounts.Zero,
                FeverNoExposure = m.Category == KeyPersons.KeyPersonCategory.FeverNoExposure ? one : CategoryCounts.Zero,
                IsolatedNow = isolation && m.Status == KeyPersons.KeyPersonStatus.Open ? 1 : 0,
                IsolationReleased = isolation && m.Status == KeyPersons.KeyPersonStatus.Released ? 1 : 0,
                IsolationEver = isolation ? 1 : 0,
                PendingConfirmation = m.Status == KeyPersons.KeyPersonStatus.Pending ? 1 : 0,
                NeedsReview = m.NeedsReview && m.Status == KeyPersons.KeyPersonStatus.Open ? 1 : 0,
                PendingOverdue = m.Overdue && m.Status == KeyPersons.KeyPersonStatus.Pending ? 1 : 0,
            };
        }
        return totals;
    }
}
