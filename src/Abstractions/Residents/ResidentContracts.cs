using Sanmenxia.HealthCode;

namespace Sanmenxia.Residents;

/// <summary>Who performed an action on a resident's record: the resident, a household head acting as proxy, or staff.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.Actor")]
public sealed record Actor(
    [property: Id(0)] string Id,
    [property: Id(1)] string Role,
    [property: Id(2)] ActorKind Kind)
{
    public static Actor Self(string residentKey) => new(residentKey, "resident", ActorKind.Self);
    public static Actor Proxy(string headResidentKey) => new(headResidentKey, "resident", ActorKind.HouseholdProxy);
    public static Actor Staff(string username, string role) => new(username, role, ActorKind.Staff);
}

[GenerateSerializer, Alias("sanmenxia.ActorKind")]
public enum ActorKind { Self, HouseholdProxy, Staff, System }

[GenerateSerializer, Immutable, Alias("sanmenxia.ResidentRegistration")]
public sealed record ResidentRegistration(
    [property: Id(0)] string IdNumber,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Phone,
    [property: Id(3)] string VillageCode,
    [property: Id(4)] string HouseholdId,
    [property: Id(5)] Actor RegisteredBy);

[GenerateSerializer, Alias("sanmenxia.RegistrationOutcome")]
public enum RegistrationOutcome { Created, AlreadyRegistered, Conflict }

/// <summary>A resident's own data as shown to the resident, the household head or authorised staff (masked identifiers).</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.ResidentProfile")]
public sealed record ResidentProfile(
    [property: Id(0)] string ResidentKey,
    [property: Id(1)] string Name,
    [property: Id(2)] string MaskedIdNumber,
    [property: Id(3)] string? MaskedPhone,
    [property: Id(4)] string VillageCode,
    [property: Id(5)] string HouseholdId,
    [property: Id(6)] DateOnly BirthDate,
    [property: Id(7)] bool IsMale,
    [property: Id(8)] DateTimeOffset RegisteredAt,
    [property: Id(9)] bool Provisional = false);

[GenerateSerializer, Alias("sanmenxia.NeedKind")]
public enum NeedKind { Medicine, Food, Other }

[GenerateSerializer, Alias("sanmenxia.NeedStatus")]
public enum NeedStatus { Open, Handled }

/// <summary>A request for help (platform 3: medicine, food for the housebound …) and how staff answered it.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.Need")]
public sealed record Need(
    [property: Id(0)] string Id,
    [property: Id(1)] NeedKind Kind,
    [property: Id(2)] string Detail,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] NeedStatus Status,
    [property: Id(5)] DateTimeOffset? HandledAt = null,
    [property: Id(6)] string? HandledBy = null,
    [property: Id(7)] string? Note = null);

/// <summary>The resident's self-report (platform 3): health and recent travel.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.SelfReport")]
public sealed record SelfReport(
    [property: Id(0)] decimal? Temperature,
    [property: Id(1)] IReadOnlyList<string> Symptoms,
    [property: Id(2)] string? RecentTravel,
    [property: Id(3)] DateTimeOffset UpdatedAt);

/// <summary>One entry of the colour history, with who caused it (the rules' cause and, for actions, the actor).</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CodeHistoryEntry")]
public sealed record CodeHistoryEntry(
    [property: Id(0)] ColourChange Change,
    [property: Id(1)] ActorKind? By);

/// <summary>
/// Everything a code read returns: colour, why, what to do next, when it turns green, and the history. Since issue 17 also
/// the day an observation or isolation period runs to (<see cref="ObservationEndsOn"/>), the resident's village, and that
/// village's public duty phone (<see cref="VillageContact"/>, added by the API from its store; null from the grain).
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CodeView")]
public sealed record CodeView(
    [property: Id(0)] CodeExplanation Explanation,
    [property: Id(1)] IReadOnlyList<CodeHistoryEntry> History,
    [property: Id(2)] DateOnly? AppliedOn,
    [property: Id(3)] DateOnly Today,
    [property: Id(4)] bool Provisional = false,
    [property: Id(5)] string? Note = null,
    [property: Id(3081)] ClockInRecord? TodayClockIn = null,
    [property: Id(3040)] DateOnly? ObservationEndsOn = null,
    [property: Id(3041)] string? VillageCode = null,
    [property: Id(3042)] string? VillageContact = null);

/// <summary>
/// Today's clock-in as the resident sees it: when (null for one recorded before the time was kept) and the temperature.
/// A later clock-in the same day replaces it; it does not count as another day.
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.ClockInRecord")]
public sealed record ClockInRecord(
    [property: Id(0)] DateTimeOffset? At,
    [property: Id(1)] decimal? Temperature);

/// <summary>An action's outcome: accepted (with the new code) or refused with reasons; nothing is changed when refused.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CodeActionResult")]
public sealed record CodeActionResult(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] IReadOnlyList<string> Refusal,
    [property: Id(2)] CodeView Code,
    [property: Id(3082)] ClockInRecord? ReplacedToday = null);

/// <summary>Everything the resident page shows at once.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.ResidentOverview")]
public sealed record ResidentOverview(
    [property: Id(0)] ResidentProfile Profile,
    [property: Id(1)] CodeView Code,
    [property: Id(2)] SelfReport? SelfReport,
    [property: Id(3)] IReadOnlyList<Need> Needs,
    [property: Id(4)] IReadOnlyList<Trips.TripMatch>? TripMatches = null);

/// <summary>
/// What a resident tells its village: enough to count and list it, nothing more. Versioned so the village
/// applies each change once, whatever the retries and replays.
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.ResidentSummary")]
public sealed record ResidentSummary(
    [property: Id(0)] string ResidentKey,
    [property: Id(1)] long Version,
    [property: Id(2)] string Name,
    [property: Id(3)] string MaskedIdNumber,
    [property: Id(4)] string HouseholdId,
    [property: Id(5)] HealthCodeState Code,
    [property: Id(6)] int OpenNeeds,
    [property: Id(7)] KeyPersonFlags KeyPersons = KeyPersonFlags.None,
    [property: Id(8)] IsolationKind Isolation = IsolationKind.None,
    [property: Id(9)] bool Removed = false,
    [property: Id(10)] IReadOnlyList<KeyPersons.KeyPersonMark>? Marks = null,
    // The first day whose start must evaluate this resident for something the village cannot project from the code
    // (an observation period or a trip watch ending, data due for pruning): ResidentDayClose. MinValue, as in a summary
    // stored before this existed, means "due now"; MaxValue means nothing is ever due.
    [property: Id(11)] DateOnly CloseDueOn = default);

/// <summary>The five key-person categories of platform 4.</summary>
[Flags, GenerateSerializer, Alias("sanmenxia.KeyPersonFlags")]
public enum KeyPersonFlags
{
    None = 0,
    FromOutsideCity = 1,
    FromHubei = 2,
    FromWuhan = 4,
    CloseContact = 8,
    FeverNoExposure = 16,
}

[GenerateSerializer, Alias("sanmenxia.IsolationKind")]
public enum IsolationKind { None, Home, Central, MedicalObservation }

[Alias("sanmenxia.IResidentGrain")]
public interface IResidentGrain : IGrainWithStringKey, KeyPersons.IKeyPersonRegister, Trips.ITripTraveller
{
    [Alias("Register")] Task<RegistrationOutcome> RegisterAsync(ResidentRegistration registration);
    /// <summary>
    /// The stored profile if this resident was registered with exactly this ID number and phone (and, when given, in
    /// this household): the same registration asked again, which may finish what a failure left undone. Null otherwise.
    /// </summary>
    [Alias("MatchRegistration")] Task<ResidentProfile?> MatchRegistrationAsync(string idNumber, string? phone, string? householdId);
    [Alias("Profile")] Task<ResidentProfile?> GetProfileAsync();
    /// <summary>The household claim this record stands on (a head added it), confirmed or not; null otherwise.</summary>
    [Alias("Claim")] Task<HouseholdClaim?> GetClaimAsync();
    /// <summary>
    /// The person registers for themselves (with the phone they proved) or staff import them: a provisional claim gives way.
    /// Takes the record over (name, phone, village, household; the code and key-person entries stay) and returns the claim
    /// it ended; null (nothing changed) if the record is no provisional claim.
    /// </summary>
    [Alias("TakeOver")] Task<HouseholdClaim?> TakeOverAsync(ResidentRegistration registration);
    [Alias("ConfirmClaim")] Task<HouseholdClaim?> ConfirmClaimAsync(Actor by);
    /// <summary>
    /// The village reverses a claim: the record forgets the identity, code, self-report and needs the head gave it (key-person
    /// entries and trips, which staff and the rules made, stay for the real person) and leaves its village; the ID number is
    /// then free for its owner. Returns the claim reversed, or null if the record is no claim.
    /// </summary>
    [Alias("ReverseClaim")] Task<HouseholdClaim?> ReverseClaimAsync(Actor by);
    [Alias("Overview")] Task<ResidentOverview?> GetOverviewAsync();
    [Alias("Code")] Task<CodeView> GetCodeAsync();
    [Alias("Apply")] Task<CodeActionResult> ApplyAsync(decimal temperature, bool honestyPledge, Actor actor);
    [Alias("ClockIn")] Task<CodeActionResult> ClockInAsync(decimal temperature, IReadOnlyList<string> symptoms, Actor actor);
    [Alias("SelfReport")] Task<SelfReport> UpdateSelfReportAsync(decimal? temperature, IReadOnlyList<string> symptoms, string? recentTravel);
    [Alias("AddNeed")] Task<Need> AddNeedAsync(NeedKind kind, string detail, Actor actor);
    [Alias("HandleNeed")] Task<Need?> HandleNeedAsync(string needId, Actor staff, string? note);
    /// <summary>Staff clear a fever once the person is seen to be well; the clock-in rules apply again.</summary>
    [Alias("ClearFever")] Task<CodeActionResult> ClearFeverAsync(Actor staff, string note);
    /// <summary>Closes every ended day from dates; calling it again changes nothing.</summary>
    [Alias("EvaluateDeadlines")] Task<CodeView> EvaluateDeadlinesAsync();
    /// <summary>
    /// The village's day close (ResidentDayClose): closes every ended day from dates and stores what changed, then lets
    /// an activation made only for this go. Calling it again changes nothing.
    /// </summary>
    [Alias("CloseDay")] Task CloseDayAsync();
    /// <summary>
    /// Erases the whole record (an administrator's decision: the end of the emergency, or a deletion request carried out):
    /// leaves the village, household and phone link, unregisters its reminders, clears its stored state and deactivates,
    /// so nothing is served from memory afterwards (docs/data-governance.md). Idempotent.
    /// </summary>
    [Alias("Erase")] Task<Retention.ErasureOutcome> EraseAsync(Actor by, string reason);
    /// <summary>Everything this record holds, for the resident's own download; null if not registered.</summary>
    [Alias("DataExport")] Task<Retention.ResidentDataExport?> GetDataExportAsync();
    /// <summary>The record as the resident import reads it (clear ID number and phone), for an administrator's interop export; null if not registered.</summary>
    [Alias("RecordRow")] Task<Retention.ResidentRecordRow?> GetRecordRowAsync();
}
