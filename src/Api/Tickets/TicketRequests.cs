namespace Sanmenxia.Api.Tickets;

// What callers send to /api/tickets: a public lead, a hotline call, and the body of each workflow action.

public sealed record LeadRequest(string? Category, string? RegionCode, string? Address, double? Latitude, double? Longitude, string? Description,
    string? Phone, string? Name, bool? Callback);
public sealed record CallRequest(string? Source, string? Kind, string? Category, string? RegionCode, string? Address, double? Latitude, double? Longitude,
    string? Description, string? Phone, string? Name, bool? Callback);

public sealed record AcceptTicketRequest(string? Note);
public sealed record RejectTicketRequest(string? Reason, string? DuplicateOf, string? Note);
public sealed record DispatchTicketRequest(string? Department, string? Village, string? Note);
/// <summary>The handler's result; an appeal's answer also names the decision (Resolved, or Rejected with the reason as the result).</summary>
public sealed record HandleTicketRequest(string? Result, string? Decision = null);
public sealed record FeedbackTicketRequest(string? Outcome, string? Note);
public sealed record CloseTicketRequest(string? Note);
