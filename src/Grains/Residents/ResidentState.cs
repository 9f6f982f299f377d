using Sanmenxia.HealthCode;
using Sanmenxia.KeyPersons;
using Sanmenxia.Requests;
using Sanmenxia.Residents;
using Sanmenxia.Trips;

namespace Sanmenxia.Grains.Residents;

[GenerateSerializer, Alias("sanmenxia.ResidentState")]
public sealed class ResidentState : Platform.Stores.IVillageRowCarrier
{
    /// <summary>The clear ID number: it lives only here (grain keys, logs and URLs use the pseudonymous key).</summary>
    [Id(0)] public string? IdNumber { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    /// <summary>Clear phone number, or null for a member without a phone (the household head acts for them).</summary>
    [Id(2)] public string? Phone { get; set; }
    [Id(3)] public string VillageCode { get; set; } = "";
    [Id(4)] public string HouseholdId { get; set; } = "";
    [Id(5)] public DateTimeOffset RegisteredAt { get; set; }
    /// <summary>The health-code state machine's state; the rules in HealthCodeRules are the only thing that changes it.</summary>
    [Id(6)] public HealthCodeState Code { get; set; } = HealthCodeState.NotApplied;
    /// <summary>The latest colour changes, newest last, bounded (<see cref="ResidentViews.HistoryLimit"/>).</summary>
    [Id(7)] public List<CodeHistoryEntry> History { get; set; } = [];
    [Id(8)] public SelfReport? SelfReport { get; set; }
    /// <summary>Open needs and the most recently handled ones, bounded.</summary>
    [Id(9)] public List<Need> Needs { get; set; } = [];
    /// <summary>Version of the summary last sent to the village; increases with every change the village must see.</summary>
    [Id(10)] public long SummaryVersion { get; set; }
    /// <summary>
    /// Unused since the village closes its residents' days (ResidentDayClose): the period of the per-resident day-close
    /// reminder of older builds. Kept so stored states read; never reuse the id.
    /// </summary>
    [Id(11)] public TimeSpan? DeadlineReminderPeriod { get; set; }
    // Ids 12 and 13 held derived key-person flags in an early build; they are derived from KeyEntries now.
    /// <summary>Key-person register entries (platform 4): every one kept while open, the latest closed ones bounded.</summary>
    [Id(14)] public List<KeyPersonEntry> KeyEntries { get; set; } = [];
    /// <summary>One mark per entry ever, so the village's "ever" counts survive the bounding of closed entries.</summary>
    [Id(15)] public Dictionary<string, KeyPersonMark> Marks { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Unused, as <see cref="DeadlineReminderPeriod"/>: the offset of the older builds' day-close reminder. Never reuse the id.</summary>
    [Id(18)] public TimeSpan? DeadlineReminderOffset { get; set; }
    /// <summary>Trips the resident saved (platform 2), watched until <see cref="SavedTrip.WatchedUntil"/>.</summary>
    [Id(16)] public List<SavedTrip> Trips { get; set; } = [];
    /// <summary>Matches with published cases, newest last, bounded.</summary>
    [Id(17)] public List<TripMatch> TripMatches { get; set; } = [];
    /// <summary>
    /// Whether a fever reported at a clock-in awaits staff clearance (a fever entry's fever ends with the entry instead).
    /// Null in a state stored before this existed: then a fever on the code is taken as reported (as that build did).
    /// </summary>
    [Id(19)] public bool? FeverAtClockIn { get; set; }
    /// <summary>The decision deadline the pending-decision reminder is registered for, or null when none is (<see cref="DecisionReminder"/>).</summary>
    [Id(20)] public DateTimeOffset? DecisionReminderFor { get; set; }
    /// <summary>
    /// The household head who added this record as a member (a claim), or null when the person registered themselves or
    /// staff did. Kept after the village confirms it, so a confirmed claim can still be contested and reversed.
    /// </summary>
    [Id(21)] public string? ClaimedBy { get; set; }
    /// <summary>Whether the village confirmed the claim; until then the member is provisional (docs/security.md).</summary>
    [Id(22)] public bool ClaimConfirmed { get; set; }
    /// <summary>
    /// The outbox (<see cref="VillageOutbox"/>): the highest <see cref="SummaryVersion"/> the village is known to hold.
    /// A version above it is pending: it was stored with the state it summarises and is re-sent until acknowledged.
    /// Raised in memory on acknowledgement and stored with the next write (a stale value only causes a repeat the
    /// village ignores).
    /// </summary>
    [Id(170)] public long ReportedVersion { get; set; }
    /// <summary>Villages this resident left (a claim reversed or taken over) that must still be told to forget it.</summary>
    [Id(171)] public List<string> VillagesToLeave { get; set; } = [];
    /// <summary>Keyed requests executed recently (Idempotency-Key), with what a retry answers; bounded (<see cref="RecentRequests"/>).</summary>
    [Id(172)] public List<RememberedRequest> RecentRequests { get; set; } = [];
    /// <summary>When the API issued the latest clock-in executed, so an older one arriving late never overwrites it.</summary>
    [Id(173)] public DateTimeOffset? LastClockInIssuedAt { get; set; }
    /// <summary>
    /// When the latest clock-in (or the application, which is that day's clock-in) was recorded; its temperature is the
    /// code's LastTemperature. Null in a state stored before this existed.
    /// </summary>
    [Id(3080)] public DateTimeOffset? LastClockInAt { get; set; }
    /// <summary>
    /// The first day the village's day close must wake this resident for (<see cref="ResidentDayClose.NextDueOn"/>), as the
    /// latest summary told the village. MinValue in a state stored before this existed: the next write tells it.
    /// </summary>
    [Id(3320)] public DateOnly CloseDueOn { get; set; }

    /// <summary>
    /// Not stored (no [Id]): the village rows the next write carries (<see cref="Platform.Stores.IVillageRowCarrier"/>), set
    /// by the grain just before it writes and emptied after. The batched PostgreSQL storage writes them in the same
    /// transaction as this state; other storages ignore them (the village then writes the rows itself).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore, Newtonsoft.Json.JsonIgnore]
    public List<Platform.Stores.VillageRow> VillageRows => _villageRows ??= [];

    [NonSerialized] private List<Platform.Stores.VillageRow>? _villageRows;

    IReadOnlyList<Platform.Stores.VillageRow> Platform.Stores.IVillageRowCarrier.VillageRows => VillageRows;

    public bool IsProvisional => ClaimedBy is not null && !ClaimConfirmed;

    public bool IsRegistered => IdNumber is not null;
}
