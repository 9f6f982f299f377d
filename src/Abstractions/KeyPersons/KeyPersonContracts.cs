namespace Sanmenxia.KeyPersons;

/// <summary>The five key-person categories of platform 4 (疫情信息).</summary>
[GenerateSerializer, Alias("sanmenxia.KeyPersonCategory")]
public enum KeyPersonCategory
{
    FromOutsideCity = 1, // 外地返回
    FromHubei = 2,       // 湖北（武汉以外）返回
    FromWuhan = 3,       // 武汉返回
    CloseContact = 4,    // 密切接触者
    FeverNoExposure = 5, // 无接触史发热
}

/// <summary>The control measure staff chose (管控措施).</summary>
[GenerateSerializer, Alias("sanmenxia.ControlMeasure")]
public enum ControlMeasure { None, HomeIsolation, CentralIsolation, MedicalObservation }

[GenerateSerializer, Alias("sanmenxia.KeyPersonStatus")]
public enum KeyPersonStatus
{
    /// <summary>Flagged by a backend comparison or a co-traveler match; village staff must confirm or dismiss it.</summary>
    Pending,
    Open,
    Released,
    Dismissed,
}

/// <summary>Why an entry was closed. Entries closed before this was stored read <see cref="Unknown"/>.</summary>
[GenerateSerializer, Alias("sanmenxia.CloseCause")]
public enum CloseCause
{
    Unknown = 0,
    /// <summary>The observation period ended without fever or symptoms.</summary>
    PeriodCompleted = 1,
    /// <summary>Staff dismissed a pending entry.</summary>
    DismissedByStaff = 2,
    /// <summary>Staff released an open entry before its period ended.</summary>
    ReleasedByStaff = 3,
    /// <summary>The publication that made the co-traveler match was withdrawn; a republication opens the entry again.</summary>
    PublicationWithdrawn = 4,
}

[GenerateSerializer, Alias("sanmenxia.FollowUpStatus")]
public enum FollowUpStatus { SeenWell, SeenWithSymptoms, NotReached }

[GenerateSerializer, Immutable, Alias("sanmenxia.FollowUp")]
public sealed record FollowUp(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] FollowUpStatus Status,
    [property: Id(2)] string? Note,
    [property: Id(3)] string By,
    [property: Id(4)] DateTimeOffset At);

/// <summary>One register entry: who, which category, the basic data, the measure, the period and what happened.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.KeyPersonEntry")]
public sealed record KeyPersonEntry
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required KeyPersonCategory Category { get; init; }
    [Id(2)] public required KeyPersonStatus Status { get; init; }
    /// <summary>Arrival date (returnees), last contact (close contacts) or fever date: the observation counts from it.</summary>
    [Id(3)] public required DateOnly ExposureDate { get; init; }
    /// <summary>Where from (returnees) or which case (close contacts) or where the fever was found.</summary>
    [Id(4)] public string? Origin { get; init; }
    [Id(5)] public ControlMeasure Measure { get; init; }
    /// <summary>The central isolation site, when the measure is central isolation.</summary>
    [Id(6)] public string? Site { get; init; }
    [Id(7)] public string? Problems { get; init; }
    [Id(8)] public required DateOnly ObservationEndsOn { get; init; }
    [Id(9)] public IReadOnlyList<FollowUp> FollowUps { get; init; } = [];
    /// <summary>The last day with fever or symptoms during the period (follow-up or clock-in).</summary>
    [Id(10)] public DateOnly? LastSymptomDay { get; init; }
    /// <summary>Set when the period was extended because of symptoms: staff should look at this person.</summary>
    [Id(11)] public bool NeedsReview { get; init; }
    [Id(12)] public DateOnly? OpenedOn { get; init; }
    [Id(13)] public DateOnly? ClosedOn { get; init; }
    [Id(14)] public string? CloseReason { get; init; }
    [Id(15)] public required string Source { get; init; }
    [Id(16)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(17)] public required string CreatedBy { get; init; }
    [Id(18)] public DateOnly? PeriodFrom { get; init; }
    [Id(19)] public DateOnly? PeriodTo { get; init; }
    /// <summary>
    /// Why it was closed: the typed form of <see cref="CloseReason"/>, which stays the text staff read. Not in the
    /// API's JSON (its shape is unchanged); entries stored before it read <see cref="CloseCause.Unknown"/>.
    /// </summary>
    [Id(20), System.Text.Json.Serialization.JsonIgnore] public CloseCause ClosedBy { get; init; }
    /// <summary>
    /// A pending entry's deadline: village staff must confirm or dismiss it by then (KeyPersons:PendingDecisionWithin after
    /// it was created; see <see cref="PendingDecision"/>). Null on entries created open, and on pending ones stored
    /// before it existed until they are next evaluated.
    /// </summary>
    [Id(21)] public DateTimeOffset? DecideBy { get; init; }
    /// <summary>Set when a pending entry's <see cref="DecideBy"/> passed with no decision: escalated to the township.</summary>
    [Id(22)] public bool Overdue { get; init; }

    /// <summary>
    /// An open entry whose period runs (and ends on <see cref="ObservationEndsOn"/>): one with a measure, and a fever
    /// with no exposure whatever its measure (it puts a fever on the code, which must end with the period).
    /// </summary>
    public bool RequiresObservation => Status == KeyPersonStatus.Open && (Measure != ControlMeasure.None || Category == KeyPersonCategory.FeverNoExposure);
    public bool IsIsolation => Measure is ControlMeasure.HomeIsolation or ControlMeasure.CentralIsolation;
}

/// <summary>What a village needs of each entry to count it; kept for every entry ever, so "ever" counts never shrink.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.KeyPersonMark")]
public sealed record KeyPersonMark(
    [property: Id(0)] KeyPersonCategory Category,
    [property: Id(1)] KeyPersonStatus Status,
    [property: Id(2)] ControlMeasure Measure,
    [property: Id(3)] DateOnly? OpenedOn,
    [property: Id(4)] DateOnly? ClosedOn,
    [property: Id(5)] bool NeedsReview,
    [property: Id(6)] bool Overdue = false);

[GenerateSerializer, Immutable, Alias("sanmenxia.NewKeyPersonEntry")]
public sealed record NewKeyPersonEntry(
    [property: Id(0)] KeyPersonCategory Category,
    [property: Id(1)] DateOnly ExposureDate,
    [property: Id(2)] string? Origin,
    [property: Id(3)] ControlMeasure Measure,
    [property: Id(4)] string? Site,
    [property: Id(5)] string? Problems,
    [property: Id(6)] string Source,
    [property: Id(7)] bool Pending,
    [property: Id(8)] string? EntryId = null,
    [property: Id(9)] DateOnly? PeriodFrom = null,
    [property: Id(10)] DateOnly? PeriodTo = null);

[GenerateSerializer, Immutable, Alias("sanmenxia.KeyPersonResult")]
public sealed record KeyPersonResult(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] string? Refusal,
    [property: Id(2)] KeyPersonEntry? Entry);

/// <summary>A line of the jurisdiction's register (masked identifiers).</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.RegisterLine")]
public sealed record RegisterLine(
    [property: Id(0)] string ResidentKey,
    [property: Id(1)] string Name,
    [property: Id(2)] string MaskedIdNumber,
    [property: Id(3)] string VillageCode,
    [property: Id(4)] KeyPersonEntry Entry);
