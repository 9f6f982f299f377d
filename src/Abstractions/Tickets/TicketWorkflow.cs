using Sanmenxia.Regions;

namespace Sanmenxia.Tickets;

/// <summary>The outcome of an action: the changed ticket, or a typed refusal (never both).</summary>
public readonly record struct TicketDecision(Ticket? Ticket, TicketRefusal? Refusal)
{
    public bool Accepted => Ticket is not null;
    public static TicketDecision Ok(Ticket ticket) => new(ticket, null);
    public static TicketDecision Refuse(string code, string reason) => new(null, new TicketRefusal(code, reason));
}

/// <summary>
/// The 12345 ticket state machine (platform 6), pure. Legal moves:
/// <code>
/// Received     --accept-->   Accepted          --reject-->  Rejected (not epidemic-related / duplicate of N; terminal)
/// Accepted     --dispatch--> Dispatched        --handle-->  Handled (answered by the 12345 centre itself)
/// Dispatched   --dispatch--> Dispatched (re-dispatch, each hop kept)   --handle--> Handled
/// Handled      --feedback--> FeedbackGiven (satisfied, no answer; or not satisfied after supervision: final)
///              --feedback--> Dispatched/Accepted (not satisfied, first time: reopened to the handler, once)
///              --feedback--> Supervision (not satisfied again: the supervisor takes it)
/// Supervision  --dispatch--> Dispatched (still supervised)  --handle--> Handled  --close--> Closed (the supervisor's conclusion)
/// FeedbackGiven --close-->   Closed
/// </code>
/// Everything else is refused with code "ticket.illegal-transition". Every change appends a step with who, when and why.
/// Deadlines are not this type's concern (<see cref="TicketDeadlines"/>).
/// </summary>
public static class TicketWorkflow
{
    public const string IllegalTransition = "ticket.illegal-transition";
    public const string MissingField = "ticket.missing-field";

    public const int MaxNoteLength = 500;
    public const int MaxResultLength = 2000;

    /// <summary>Whether the action is legal in the state (the fields it needs aside).</summary>
    public static bool IsLegal(TicketState state, TicketAction action) => (state, action) switch
    {
        (TicketState.Received, TicketAction.Accept or TicketAction.Reject) => true,
        (TicketState.Accepted, TicketAction.Dispatch or TicketAction.Handle) => true,
        (TicketState.Dispatched, TicketAction.Dispatch or TicketAction.Handle) => true,
        (TicketState.Handled, TicketAction.Feedback) => true,
        (TicketState.FeedbackGiven, TicketAction.Close) => true,
        (TicketState.Supervision, TicketAction.Dispatch or TicketAction.Handle or TicketAction.Close) => true,
        _ => false,
    };

    /// <summary>
    /// The new ticket, in state Received, with its first step; a request that names <see cref="NewTicket.DispatchTo"/> (a
    /// resident's appeal, routed to the resident's village by rule) is accepted and dispatched at once by "system".
    /// </summary>
    public static Ticket Receive(string number, NewTicket request, DateTimeOffset now)
    {
        var received = Received(number, request, now);
        if (request.DispatchTo is not { } to) return received;
        var accepted = Apply(received, TicketCommand.Accept("routed by rule"), TicketActor.System, now);
        var dispatched = accepted.Accepted ? Apply(accepted.Ticket!, TicketCommand.Dispatch(to, "routed by rule"), TicketActor.System, now) : accepted;
        return dispatched.Ticket ?? throw new ArgumentException(dispatched.Refusal!.Reason, nameof(request));
    }

    private static Ticket Received(string number, NewTicket request, DateTimeOffset now) => new()
    {
        Number = number,
        Source = request.Source,
        Kind = request.Kind,
        Category = request.Category,
        Location = request.Location,
        Description = request.Description,
        Contact = request.Contact,
        State = TicketState.Received,
        ReceivedAt = now,
        UpdatedAt = now,
        Version = 1,
        Steps = [new TicketStep(TicketStepKind.Received, now, request.ReceivedBy, TicketState.Received, TicketState.Received, $"source {request.Source}")],
        ResidentKey = request.ResidentKey,
        AppealReason = request.AppealReason,
    };

    public static TicketDecision Apply(Ticket ticket, TicketCommand command, TicketActor actor, DateTimeOffset now)
    {
        if (!IsLegal(ticket.State, command.Action))
            return TicketDecision.Refuse(IllegalTransition, Explain(ticket.State, command.Action));
        var note = Trim(command.Note);
        if (note is { Length: > MaxResultLength }) return TicketDecision.Refuse(MissingField, $"The note is longer than {MaxResultLength} characters.");

        switch (command.Action)
        {
            case TicketAction.Accept:
                return Move(ticket, TicketStepKind.Accepted, TicketState.Accepted, actor, now, note,
                    t => t with { AcceptedAt = now, HandleClockFrom = now });

            case TicketAction.Reject:
                if (command.RejectReason is not { } reason) return TicketDecision.Refuse(MissingField, "A rejection needs a reason: NotEpidemicRelated or Duplicate.");
                if (reason == RejectReason.Duplicate)
                {
                    if (!TicketNumbers.IsValid(command.DuplicateOf)) return TicketDecision.Refuse(MissingField, "A duplicate names the ticket it repeats (12345-YYYYMMDD-NNNNNN).");
                    if (command.DuplicateOf == ticket.Number) return TicketDecision.Refuse(MissingField, "A ticket cannot duplicate itself.");
                }
                return Move(ticket, TicketStepKind.Rejected, TicketState.Rejected, actor, now, note,
                    t => t with { RejectedAt = now, RejectReason = reason, DuplicateOf = reason == RejectReason.Duplicate ? command.DuplicateOf : null },
                    step => step with { RejectReason = reason, DuplicateOf = reason == RejectReason.Duplicate ? command.DuplicateOf : null });

            case TicketAction.Dispatch:
                if (command.Assignee is not { } to || string.IsNullOrWhiteSpace(to.Code)) return TicketDecision.Refuse(MissingField, "A dispatch names a department or a village.");
                if (to.Kind == AssigneeKind.Village && (!RegionCode.TryParse(to.Code, out var village) || village.Level != RegionLevel.Village))
                    return TicketDecision.Refuse(MissingField, $"{to.Code} is not a village code.");
                if (ticket.State == TicketState.Dispatched && ticket.Assignee == to)
                    return TicketDecision.Refuse(IllegalTransition, $"The ticket is already dispatched to {to}.");
                return Move(ticket, TicketStepKind.Dispatched, TicketState.Dispatched, actor, now, note,
                    t => t with { Assignee = to }, step => step with { Assignee = to });

            case TicketAction.Handle:
                if (note is null) return TicketDecision.Refuse(MissingField, "Handling records the handler's result.");
                var appeal = TicketAppeals.IsAppeal(ticket);
                if (appeal && command.AppealDecision is null)
                    return TicketDecision.Refuse(MissingField, "An appeal is answered with a decision: Resolved, or Rejected with the reason as the result.");
                if (!appeal && command.AppealDecision is not null) return TicketDecision.Refuse(MissingField, "Only a resident's appeal takes a decision.");
                return Move(ticket, TicketStepKind.Handled, TicketState.Handled, actor, now, note,
                    t => t with { HandledAt = now, Result = note, Feedback = null, AppealDecision = command.AppealDecision },
                    step => step with { Assignee = ticket.Assignee, AppealDecision = command.AppealDecision });

            case TicketAction.Feedback:
                if (command.Feedback is not { } outcome) return TicketDecision.Refuse(MissingField, "Feedback is Satisfied, NotSatisfied or NoAnswer.");
                if (note is { Length: > MaxNoteLength }) return TicketDecision.Refuse(MissingField, $"The note is longer than {MaxNoteLength} characters.");
                return Feedback(ticket, outcome, actor, now, note);

            case TicketAction.Close:
                if (note is { Length: > MaxNoteLength }) return TicketDecision.Refuse(MissingField, $"The note is longer than {MaxNoteLength} characters.");
                return Move(ticket, TicketStepKind.Closed, TicketState.Closed, actor, now, note, t => t with { ClosedAt = now });

            default:
                return TicketDecision.Refuse(IllegalTransition, $"Unknown action {command.Action}.");
        }
    }

    private static TicketDecision Feedback(Ticket ticket, FeedbackOutcome outcome, TicketActor actor, DateTimeOffset now, string? note)
    {
        TicketStep Step(TicketStepKind kind, TicketState to, string? why) =>
            new(kind, now, actor, ticket.State, to, why, ticket.Assignee, Feedback: outcome);

        if (outcome != FeedbackOutcome.NotSatisfied || ticket.Supervised)
        {
            // Satisfied, unreachable, or still not satisfied with the supervisor's handling (which is final).
            var why = outcome == FeedbackOutcome.NotSatisfied ? Join("not satisfied; the supervisor's handling stands", note) : note;
            return TicketDecision.Ok(Changed(ticket with { State = TicketState.FeedbackGiven, Feedback = outcome }, now,
                Step(TicketStepKind.Feedback, TicketState.FeedbackGiven, why)));
        }
        if (ticket.Reopens == 0)
        {
            // Back to the same handler, once, with a fresh handling window.
            var to = ticket.Assignee is null ? TicketState.Accepted : TicketState.Dispatched;
            return TicketDecision.Ok(Changed(ticket with { State = to, Feedback = outcome, Reopens = 1, HandleClockFrom = now }, now,
                Step(TicketStepKind.Feedback, TicketState.Handled, note),
                Step(TicketStepKind.Reopened, to, "the caller is not satisfied: reopened to the handler")));
        }
        return TicketDecision.Ok(Changed(ticket with { State = TicketState.Supervision, Feedback = outcome, Supervised = true, HandleClockFrom = now }, now,
            Step(TicketStepKind.Feedback, TicketState.Handled, note),
            Step(TicketStepKind.ToSupervisor, TicketState.Supervision, "the caller is still not satisfied after the reopening: to the supervisor")));
    }

    private static TicketDecision Move(Ticket ticket, TicketStepKind kind, TicketState to, TicketActor actor, DateTimeOffset now, string? note,
        Func<Ticket, Ticket> change, Func<TicketStep, TicketStep>? decorate = null)
    {
        var step = new TicketStep(kind, now, actor, ticket.State, to, note);
        return TicketDecision.Ok(Changed(change(ticket with { State = to }), now, decorate is null ? step : decorate(step)));
    }

    private static Ticket Changed(Ticket ticket, DateTimeOffset now, params TicketStep[] steps) =>
        ticket with { Steps = [.. ticket.Steps, .. steps], Version = ticket.Version + 1, UpdatedAt = now };

    /// <summary>Why an action is not legal in a state, in words an operator can act on.</summary>
    public static string Explain(TicketState state, TicketAction action) => state switch
    {
        TicketState.Closed => $"The ticket is closed; it cannot be {Past(action)}.",
        TicketState.Rejected => $"The ticket was rejected; it cannot be {Past(action)}.",
        TicketState.Received => $"A received ticket is accepted or rejected first; it cannot be {Past(action)} yet.",
        TicketState.Accepted => $"An accepted ticket is dispatched or handled next; it cannot be {Past(action)}.",
        TicketState.Dispatched => $"A dispatched ticket is handled (or re-dispatched) next; it cannot be {Past(action)}.",
        TicketState.Handled => $"A handled ticket waits for the caller's feedback; it cannot be {Past(action)} now.",
        TicketState.FeedbackGiven => $"Feedback is in; the ticket can only be closed, not {Past(action)}.",
        TicketState.Supervision => $"The supervisor dispatches, handles or closes it; it cannot be {Past(action)}.",
        _ => $"{action} is not possible in state {state}.",
    };

    private static string Past(TicketAction action) => action switch
    {
        TicketAction.Accept => "accepted",
        TicketAction.Reject => "rejected",
        TicketAction.Dispatch => "dispatched",
        TicketAction.Handle => "handled",
        TicketAction.Feedback => "given feedback",
        _ => "closed",
    };

    private static string? Trim(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    private static string Join(string a, string? b) => b is null ? a : $"{a}: {b}";
}
