namespace Sanmenxia.Tickets;

/// <summary>Why a resident believes their health code is wrong (the fixed list the code page offers).</summary>
[GenerateSerializer, Alias("sanmenxia.AppealReason")]
public enum AppealReason
{
    /// <summary>The colour is wrong (e.g. red although every day was clocked in).</summary>
    WrongColour = 0,
    /// <summary>The fever is gone; the code still shows it.</summary>
    FeverGone = 1,
    /// <summary>Not a key person (never in Hubei, no contact).</summary>
    NotKeyPerson = 2,
    /// <summary>The observation period is already over.</summary>
    ObservationOver = 3,
    /// <summary>Something else: the note says what.</summary>
    Other = 4,
}

/// <summary>The village's answer to an appeal: resolved (by the existing actions on the code or the register) or rejected with a reason.</summary>
[GenerateSerializer, Alias("sanmenxia.AppealDecision")]
public enum AppealDecision { Resolved = 0, Rejected = 1 }

/// <summary>
/// Residents' appeals against their health code (issue 14, "Appeals"), pure rules. An appeal is a ticket of kind Appeal,
/// source ResidentAppeal, carrying the resident's pseudonymous key, located at and dispatched directly to the resident's
/// village. The village answers it by handling it with a decision; until then it is <em>awaiting an answer</em>, and a
/// resident has at most one such appeal.
/// </summary>
public static class TicketAppeals
{
    public const int MaxNoteLength = 500;
    public const string AlreadyOpen = "appeal.already-open";

    public static IReadOnlyList<AppealReason> Reasons { get; } = Enum.GetValues<AppealReason>();

    public static string Label(AppealReason reason) => reason switch
    {
        AppealReason.WrongColour => "健康码颜色有误 · The colour is wrong",
        AppealReason.FeverGone => "已退烧 · The fever is gone",
        AppealReason.NotKeyPerson => "不属于重点人员 · Not a key person",
        AppealReason.ObservationOver => "观察期已满 · The observation period is over",
        _ => "其他 · Other",
    };

    /// <summary>Whether a ticket is a resident's appeal (an operator's call of kind Appeal is not: it has no appellant).</summary>
    public static bool IsAppeal(Ticket ticket) => ticket.Source == TicketSource.ResidentAppeal && ticket.Kind == TicketKind.Appeal;

    /// <summary>
    /// An appeal that still waits for the village's answer (received, accepted, dispatched, reopened or supervised): it blocks
    /// a second one. Once handled (answered), rejected or closed, the resident may appeal again.
    /// </summary>
    public static bool AwaitsAnswer(Ticket ticket) => IsAppeal(ticket)
        && ticket.State is TicketState.Received or TicketState.Accepted or TicketState.Dispatched or TicketState.Supervision;

    /// <summary>Field errors of an appeal as filed: "Other" needs a note saying what; the note is at most 500 characters.</summary>
    public static IReadOnlyList<(string Field, string Reason)> Check(AppealReason reason, string? note)
    {
        var errors = new List<(string, string)>();
        var trimmed = string.IsNullOrWhiteSpace(note) ? null : note.Trim();
        if (trimmed is { Length: > MaxNoteLength }) errors.Add(("note", $"must be at most {MaxNoteLength} characters"));
        else if (trimmed is not null && trimmed.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
            errors.Add(("note", "must not contain control characters"));
        if (reason == AppealReason.Other && trimmed is null) errors.Add(("note", "is required when the reason is Other (say what is wrong)"));
        return errors;
    }

    /// <summary>The ticket's description: the reason's label, then the resident's note.</summary>
    public static string Describe(AppealReason reason, string? note) =>
        string.IsNullOrWhiteSpace(note) ? $"申诉 Appeal: {Label(reason)}" : $"申诉 Appeal: {Label(reason)}\n{note.Trim()}";
}
