namespace Sanmenxia.Tickets.Open311;

/// <summary>
/// A ticket's state as Open311 says it (pure): "open" or "closed", the detailed state in status_notes (zh-CN with English
/// beside), the due time as expected_datetime, and when it was last changed (for a closed request, when it was closed).
/// </summary>
public static class Open311Status
{
    public const string Open = "open";
    public const string Closed = "closed";

    /// <summary>Closed and rejected tickets are "closed" (resolved or not taken up); every other state is "open".</summary>
    public static string Of(TicketState state) => state is TicketState.Closed or TicketState.Rejected ? Closed : Open;

    /// <summary>The detailed state. <paramref name="agency"/> names who it is dispatched to (a department or village name).</summary>
    public static string Notes(TicketState state, RejectReason? reason, string? duplicateOf, string? agency, bool overdue)
    {
        var notes = state switch
        {
            TicketState.Received => "已接收，待受理 · Received, waiting to be accepted",
            TicketState.Accepted => "已受理，待办理 · Accepted, being handled",
            TicketState.Dispatched => agency is null ? "已派发 · Dispatched" : $"已派发至{agency} · Dispatched to {agency}",
            TicketState.Handled => "已办理，待回访 · Handled, waiting for the caller's feedback",
            TicketState.FeedbackGiven => "已回访，待办结 · Feedback given, waiting to be closed",
            TicketState.Supervision => "督办中 · Under supervision",
            TicketState.Closed => "已办结 · Closed",
            TicketState.Rejected => reason == RejectReason.Duplicate
                ? $"不予受理：与 {duplicateOf} 重复 · Not taken up: duplicate of {duplicateOf}"
                : "不予受理：与疫情无关 · Not taken up: not related to the epidemic",
            _ => state.ToString(),
        };
        return overdue && Of(state) == Open ? notes + " · 已超期 Overdue" : notes;
    }

    /// <summary>updated_datetime: for a closed request the instant it was closed (or rejected), else the last change.</summary>
    public static DateTimeOffset Updated(Ticket ticket) => ticket.State switch
    {
        TicketState.Closed => ticket.ClosedAt ?? ticket.UpdatedAt,
        TicketState.Rejected => ticket.RejectedAt ?? ticket.UpdatedAt,
        _ => ticket.UpdatedAt,
    };

    /// <summary>expected_datetime: the current state's due time; none once closed.</summary>
    public static DateTimeOffset? Expected(Ticket ticket) => Of(ticket.State) == Open ? ticket.DueAt : null;
}
