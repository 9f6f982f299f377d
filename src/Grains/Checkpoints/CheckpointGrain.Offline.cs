using Sanmenxia.Checkpoints;
using Sanmenxia.HealthCode;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.Grains.Checkpoints;

// Passes a device recorded offline (issue 18): recorded once each by client id, then the days they fall on recounted.
public sealed partial class CheckpointGrain
{
    public async Task<IReadOnlyList<Guid>> RegisterOfflineAsync(IReadOnlyList<OfflinePassAttempt> attempts)
    {
        var info = state.State.Info ?? throw new InvalidOperationException($"Checkpoint {Id} is not defined.");
        var records = attempts.DistinctBy(a => a.ClientId).Select(a =>
        {
            // A fever measured at the gate refused the person there, whatever the colour (the device decided the same way).
            var fever = a.Temperature >= calendar.Policy.FeverThresholdCelsius;
            var (outcome, reason) = fever ? (PassOutcome.Refused, CheckpointRules.FeverRefused)
                : a.Review == PassReview.ColourUnknown ? (PassOutcome.Check, CheckpointRules.UnknownColourCheck)
                : CheckpointRules.Decide(info.Policy, a.Colour);
            return new PassRecord(Guid.CreateVersion7(a.At), Id, info.RegionCode.Value, a.ResidentKey, a.MaskedName, a.Direction, a.At, a.Colour,
                outcome, reason, a.Staff, a.Method, ClientId: a.ClientId, Review: a.Review, Temperature: a.Temperature);
        }).ToList();

        IReadOnlySet<Guid> inserted;
        try
        {
            inserted = await store.AppendOfflineAsync(records);
        }
        catch
        {
            this.DeactivateOnIdle(); // the outcome is unknown: the next activation recounts from the store
            throw;
        }
        if (inserted.Count == 0) return [];

        RollDay(calendar.Now);
        var today = calendar.Today;
        foreach (var day in records.Where(r => inserted.Contains(r.ClientId!.Value)).Select(r => calendar.DayOf(r.At)).Distinct().Order())
        {
            if (day == today) await RecountTodayAsync(CancellationToken.None);
            else if (day < today) await store.UpsertDailyAsync(new CheckpointDaily(Id, info.RegionCode.Value, await CountDayAsync(day)));
        }
        return [.. inserted];
    }

    /// <summary>An earlier day's counters from its rows, as today's are counted (a person seen red or yellow counts once).</summary>
    private async Task<CheckpointDayCounts> CountDayAsync(DateOnly day)
    {
        var rows = await store.ForCheckpointAsync(Id, calendar.EndOfDay(day.AddDays(-1)), calendar.EndOfDay(day), 0, int.MaxValue);
        var counts = CheckpointDayCounts.Empty(day);
        var seen = new HashSet<(string, CodeColour)>();
        foreach (var row in rows)
            counts = counts.Add(row, row.DuplicateOf is null && row.ColourSeen is CodeColour.Red or CodeColour.Yellow && seen.Add((row.ResidentKey, row.ColourSeen)));
        return counts;
    }
}
