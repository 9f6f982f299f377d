using Sanmenxia.Regions;

namespace Sanmenxia.Tickets;

/// <summary>Where a ticket came from: a 12345 call, an anonymous lead (platform 1), a resident's appeal, or staff.</summary>
[GenerateSerializer, Alias("sanmenxia.TicketSource")]
public enum TicketSource { HotlineCall = 0, LeadReport = 1, ResidentAppeal = 2, Staff = 3 }

/// <summary>What the caller wants (platform 6: consultation, report, verification, help, complaint, appeal).</summary>
[GenerateSerializer, Alias("sanmenxia.TicketKind")]
public enum TicketKind { Consultation = 0, Report = 1, Verification = 2, Help = 3, Complaint = 4, Appeal = 5 }

/// <summary>The ten lead categories of platform 1 (我要上报疫情), DOMAIN.md. Reports (kind Report) carry one.</summary>
[GenerateSerializer, Alias("sanmenxia.LeadCategory")]
public enum LeadCategory
{
    /// <summary>A village or community with no fever-check point.</summary>
    NoFeverCheckPoint = 1,
    /// <summary>A person with fever.</summary>
    PersonWithFever = 2,
    /// <summary>A gathering.</summary>
    Gathering = 3,
    /// <summary>A person back from Wuhan.</summary>
    BackFromWuhan = 4,
    /// <summary>A vehicle back from Hubei.</summary>
    VehicleFromHubei = 5,
    /// <summary>Rumours.</summary>
    Rumour = 6,
    /// <summary>Price gouging.</summary>
    PriceGouging = 7,
    /// <summary>Fake protective supplies.</summary>
    FakeProtectiveSupplies = 8,
    /// <summary>Resale of used masks.</summary>
    UsedMaskResale = 9,
    /// <summary>Wild-animal trade.</summary>
    WildAnimalTrade = 10,
}

/// <summary>The ticket's life: received → accepted (or rejected) → dispatched → handled → feedback given → closed.</summary>
[GenerateSerializer, Alias("sanmenxia.TicketState")]
public enum TicketState
{
    Received = 0,
    Accepted = 1,
    /// <summary>Terminal: not epidemic-related, or a duplicate of another ticket.</summary>
    Rejected = 2,
    Dispatched = 3,
    Handled = 4,
    FeedbackGiven = 5,
    /// <summary>The caller was still not satisfied after the one reopening: the supervisor handles it.</summary>
    Supervision = 6,
    Closed = 7,
}

/// <summary>What staff do to a ticket.</summary>
[GenerateSerializer, Alias("sanmenxia.TicketAction")]
public enum TicketAction { Accept = 0, Reject = 1, Dispatch = 2, Handle = 3, Feedback = 4, Close = 5 }

[GenerateSerializer, Alias("sanmenxia.RejectReason")]
public enum RejectReason { NotEpidemicRelated = 0, Duplicate = 1 }

[GenerateSerializer, Alias("sanmenxia.FeedbackOutcome")]
public enum FeedbackOutcome
{
    Satisfied = 0,
    NotSatisfied = 1,
    /// <summary>The caller could not be reached (or left no contact): the handling stands.</summary>
    NoAnswer = 2,
}

/// <summary>Who a ticket is dispatched to: a department (configured list) or a village/community.</summary>
[GenerateSerializer, Alias("sanmenxia.AssigneeKind")]
public enum AssigneeKind { Department = 0, Village = 1 }

/// <summary>A step of the ticket's history.</summary>
[GenerateSerializer, Alias("sanmenxia.TicketStepKind")]
public enum TicketStepKind
{
    Received = 0, Accepted = 1, Rejected = 2, Dispatched = 3, Handled = 4, Feedback = 5, Reopened = 6, ToSupervisor = 7, Closed = 8,
    /// <summary>A deadline passed (recorded at the instant it passed, by "system").</summary>
    Overdue = 9,
    /// <summary>The ticket went one level up the region tree (recorded at the instant it became due).</summary>
    Escalated = 10,
}

[GenerateSerializer, Immutable, Alias("sanmenxia.TicketAssignee")]
public sealed record TicketAssignee([property: Id(0)] AssigneeKind Kind, [property: Id(1)] string Code)
{
    public static TicketAssignee Department(string code) => new(AssigneeKind.Department, code);
    public static TicketAssignee Village(RegionCode village) => new(AssigneeKind.Village, village.Value);
    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}:{Code}";
}

/// <summary>Where the lead or call is about: a region (city down to village), a free-text address, an optional position.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.TicketLocation")]
public sealed record TicketLocation(
    [property: Id(0)] RegionCode Region,
    [property: Id(1)] string? Address,
    [property: Id(2)] double? Latitude = null,
    [property: Id(3)] double? Longitude = null);

/// <summary>
/// The caller as the project stores phones: the pseudonymous key (finds a caller's tickets without the number) and the
/// masked form staff see. The clear number is not here: it is kept apart in the ticket grain, only when an operator
/// must call back, and read through an audited call.
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.TicketContact")]
public sealed record TicketContact(
    [property: Id(0)] string PhoneKey,
    [property: Id(1)] string MaskedPhone,
    [property: Id(2)] string? Name,
    [property: Id(3)] bool CallbackRequested);

/// <summary>Who acted: a staff username and role, a public reporter ("anonymous"), or "system" for deadlines.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.TicketActor")]
public sealed record TicketActor([property: Id(0)] string Id, [property: Id(1)] string Role)
{
    public static TicketActor System { get; } = new("system", "system");
    public static TicketActor Anonymous { get; } = new("anonymous", "public");
}

/// <summary>One step of the history: who, when, why, from which state to which.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.TicketStep")]
public sealed record TicketStep(
    [property: Id(0)] TicketStepKind Kind,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] TicketActor Actor,
    [property: Id(3)] TicketState From,
    [property: Id(4)] TicketState To,
    [property: Id(5)] string? Note = null,
    [property: Id(6)] TicketAssignee? Assignee = null,
    [property: Id(7)] RejectReason? RejectReason = null,
    [property: Id(8)] string? DuplicateOf = null,
    [property: Id(9)] FeedbackOutcome? Feedback = null,
    [property: Id(10)] string? EscalatedTo = null,
    [property: Id(110)] AppealDecision? AppealDecision = null);

/// <summary>What staff ask of a ticket; the fields an action needs are checked by <see cref="TicketWorkflow"/>.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.TicketCommand")]
public sealed record TicketCommand(
    [property: Id(0)] TicketAction Action,
    [property: Id(1)] string? Note = null,
    [property: Id(2)] RejectReason? RejectReason = null,
    [property: Id(3)] string? DuplicateOf = null,
    [property: Id(4)] TicketAssignee? Assignee = null,
    [property: Id(5)] FeedbackOutcome? Feedback = null,
    [property: Id(110)] AppealDecision? AppealDecision = null)
{
    public static TicketCommand Accept(string? note = null) => new(TicketAction.Accept, note);
    public static TicketCommand Reject(RejectReason reason, string? duplicateOf = null, string? note = null) => new(TicketAction.Reject, note, reason, duplicateOf);
    public static TicketCommand Dispatch(TicketAssignee to, string? note = null) => new(TicketAction.Dispatch, note, Assignee: to);
    public static TicketCommand Handle(string result, AppealDecision? decision = null) => new(TicketAction.Handle, result, AppealDecision: decision);
    public static TicketCommand GiveFeedback(FeedbackOutcome outcome, string? note = null) => new(TicketAction.Feedback, note, Feedback: outcome);
    public static TicketCommand Close(string? note = null) => new(TicketAction.Close, note);
}

/// <summary>Why an action was refused; the API answers 422 with <see cref="Code"/>.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.TicketRefusal")]
public sealed record TicketRefusal([property: Id(0)] string Code, [property: Id(1)] string Reason);

/// <summary>The answer to an action: the ticket as it now stands, or why the action was refused (with the ticket unchanged).</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.TicketActionResult")]
public sealed record TicketActionResult([property: Id(0)] Ticket? Ticket, [property: Id(1)] TicketRefusal? Refusal);

/// <summary>A new ticket as the API validated it (the clear phone only when the caller is to be called back).</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.NewTicket")]
public sealed record NewTicket(
    [property: Id(0)] TicketSource Source,
    [property: Id(1)] TicketKind Kind,
    [property: Id(2)] LeadCategory? Category,
    [property: Id(3)] TicketLocation Location,
    [property: Id(4)] string Description,
    [property: Id(5)] TicketContact? Contact,
    [property: Id(6)] string? CallbackPhone,
    [property: Id(7)] TicketActor ReceivedBy,
    [property: Id(110)] string? ResidentKey = null,
    [property: Id(111)] AppealReason? AppealReason = null,
    [property: Id(112)] TicketAssignee? DispatchTo = null);

/// <summary>
/// A ticket's whole life. Held by its grain; <see cref="TicketWorkflow"/> and <see cref="TicketDeadlines"/> derive every
/// change. Personal data: the contact is masked and keyed; the description and result are free text written by people.
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.Ticket")]
public sealed record Ticket
{
    [Id(0)] public required string Number { get; init; }
    [Id(1)] public required TicketSource Source { get; init; }
    [Id(2)] public required TicketKind Kind { get; init; }
    [Id(3)] public LeadCategory? Category { get; init; }
    [Id(4)] public required TicketLocation Location { get; init; }
    [Id(5)] public required string Description { get; init; }
    [Id(6)] public TicketContact? Contact { get; init; }
    [Id(7)] public TicketState State { get; init; }
    [Id(8)] public DateTimeOffset ReceivedAt { get; init; }
    [Id(9)] public DateTimeOffset? AcceptedAt { get; init; }
    [Id(10)] public DateTimeOffset? RejectedAt { get; init; }
    [Id(11)] public DateTimeOffset? HandledAt { get; init; }
    [Id(12)] public DateTimeOffset? ClosedAt { get; init; }
    /// <summary>Start of the current handling window: acceptance, the reopening, or the hand-over to the supervisor.</summary>
    [Id(13)] public DateTimeOffset? HandleClockFrom { get; init; }
    [Id(14)] public TicketAssignee? Assignee { get; init; }
    /// <summary>The handler's latest result.</summary>
    [Id(15)] public string? Result { get; init; }
    [Id(16)] public FeedbackOutcome? Feedback { get; init; }
    [Id(17)] public RejectReason? RejectReason { get; init; }
    [Id(18)] public string? DuplicateOf { get; init; }
    /// <summary>How often the caller's dissatisfaction reopened the ticket to its handler (at most once).</summary>
    [Id(19)] public int Reopens { get; init; }
    /// <summary>The supervisor has taken it over; its handling is final.</summary>
    [Id(20)] public bool Supervised { get; init; }
    /// <summary>The current state's deadline (null once closed or rejected).</summary>
    [Id(21)] public DateTimeOffset? DueAt { get; init; }
    [Id(22)] public bool Overdue { get; init; }
    [Id(23)] public DateTimeOffset? OverdueSince { get; init; }
    /// <summary>How many levels up the region tree the ticket went (0 = none); never decreases, so it stays visible.</summary>
    [Id(24)] public int EscalationLevel { get; init; }
    [Id(25)] public RegionCode? EscalatedTo { get; init; }
    [Id(26)] public IReadOnlyList<TicketStep> Steps { get; init; } = [];
    /// <summary>Incremented on every change (the read model keeps the newest).</summary>
    [Id(27)] public long Version { get; init; }
    [Id(28)] public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>
    /// The resident behind the ticket (an appeal's appellant, a signed-in reporter): the pseudonymous key, never the
    /// clear ID; staff read the masked name and phone through an audited call.
    /// </summary>
    [Id(110)] public string? ResidentKey { get; init; }
    /// <summary>An appeal's reason (source ResidentAppeal).</summary>
    [Id(111)] public AppealReason? AppealReason { get; init; }
    /// <summary>The village's answer to an appeal, recorded with the handling (the result is the answer's text).</summary>
    [Id(112)] public AppealDecision? AppealDecision { get; init; }

    public bool IsOpen => State is not (TicketState.Closed or TicketState.Rejected);

    /// <summary>The dispatch hops, oldest first (re-dispatches and the supervisor's included).</summary>
    public IEnumerable<TicketAssignee> Hops => Steps.Where(s => s.Kind == TicketStepKind.Dispatched && s.Assignee is not null).Select(s => s.Assignee!);
}
