namespace Sanmenxia.Retention;

/// <summary>How many items of one kind a retention run or an erasure deleted (a kind name such as "checkpoint-passes").</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.RetentionCount")]
public sealed record RetentionCount(
    [property: Id(0)] string Kind,
    [property: Id(1)] long Count);

/// <summary>What one retention run deleted, per kind, and what started it ("reminder" or an administrator's run).</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.RetentionReport")]
public sealed record RetentionReport(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] DateTimeOffset StartedAt,
    [property: Id(2)] DateTimeOffset FinishedAt,
    [property: Id(3)] string Trigger,
    [property: Id(4)] string ActorId,
    [property: Id(5)] IReadOnlyList<RetentionCount> Counts,
    [property: Id(6)] int Batches,
    [property: Id(7)] string? Error = null)
{
    public long CountOf(string kind) => Counts.Where(c => c.Kind == kind).Sum(c => c.Count);

    /// <summary>The counts as one line for the audit trail: "kind=n; kind=n".</summary>
    public string Describe() => string.Join("; ", Counts.Select(c => $"{c.Kind}={c.Count}"));
}

/// <summary>The kinds of data the retention job and an erasure delete (docs/data-governance.md).</summary>
public static class RetentionKinds
{
    public const string CheckpointPasses = "checkpoint-passes";
    public const string ClosedTickets = "closed-tickets";
    public const string Trips = "trips";
    public const string ClearedStateRows = "cleared-state-rows";
    public const string Residents = "residents";
}

/// <summary>
/// The daily retention job (docs/data-governance.md): one grain, key <see cref="Key"/>, woken by a reminder once a
/// domain day; deletes what its policy says is due in bounded batches and writes the counts to the audit trail.
/// </summary>
[Alias("sanmenxia.IRetentionGrain")]
public interface IRetentionGrain : IGrainWithStringKey
{
    public const string Key = "city";

    /// <summary>Registers the daily reminder if it is not registered (every silo calls this at start; idempotent).</summary>
    [Alias("EnsureScheduled")] Task EnsureScheduledAsync();
    /// <summary>Runs now (an administrator's request, or a test): returns what it deleted. Runs do not overlap.</summary>
    [Alias("Run")] Task<RetentionReport> RunAsync(string actorId);
    /// <summary>
    /// The daily run, started by the reminder's tick without waiting for it: at the city's size a run reads the whole
    /// grain-state table (minutes), far longer than a tick may take before Orleans logs it as failed. Once a day; a call
    /// on a day that already ran does nothing.
    /// </summary>
    [Alias("RunDaily"), Orleans.Concurrency.OneWay] Task RunDailyAsync();
    /// <summary>The last run's report, or null before the first.</summary>
    [Alias("Last"), Orleans.Concurrency.AlwaysInterleave] Task<RetentionReport?> GetLastAsync();
}

/// <summary>What erasing one resident's record deleted.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.ErasureOutcome")]
public sealed record ErasureOutcome(
    [property: Id(0)] string ResidentKey,
    [property: Id(1)] bool Erased,
    [property: Id(2)] string? VillageCode,
    [property: Id(3)] IReadOnlyList<RetentionCount> Counts);

/// <summary>What a resident's record holds, for their own download (identifiers masked as everywhere they are shown).</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.ResidentDataExport")]
public sealed record ResidentDataExport(
    [property: Id(0)] Residents.ResidentProfile Profile,
    [property: Id(1)] Residents.CodeView Code,
    [property: Id(2)] Residents.SelfReport? SelfReport,
    [property: Id(3)] IReadOnlyList<Residents.Need> Needs,
    [property: Id(4)] IReadOnlyList<KeyPersons.KeyPersonEntry> KeyPersonEntries,
    [property: Id(5)] IReadOnlyList<Trips.SavedTrip> Trips,
    [property: Id(6)] IReadOnlyList<Trips.TripMatch> TripMatches,
    [property: Id(7)] Residents.HouseholdClaim? Claim);

/// <summary>A resident as the resident import's columns carry it (clear identifiers: only for the audited interop export).</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.ResidentRecordRow")]
public sealed record ResidentRecordRow(
    [property: Id(0)] string IdNumber,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Phone,
    [property: Id(3)] string VillageCode,
    [property: Id(4)] string HouseholdId,
    [property: Id(5)] bool Provisional);
