using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Tickets;

namespace Sanmenxia.Api.Tickets;

// What /api/tickets answers: the public receipt and status, the staff view of a ticket, queue pages, figures, the catalogue.

public sealed record TicketReceipt(string Number, string State, DateTimeOffset ReceivedAt, DateTimeOffset? DueAt, string StatusUrl);
public sealed record PublicTicketStatus(string Number, string State, string Kind, string? Category, DateTimeOffset ReceivedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? ClosedAt, IReadOnlyList<PublicTicketStep> Steps);
public sealed record PublicTicketStep(string Kind, DateTimeOffset At);

public sealed record TicketStepDto(string Kind, DateTimeOffset At, string Actor, string ActorRole, string From, string To, string? Note, string? Assignee,
    string? RejectReason, string? DuplicateOf, string? Feedback, string? EscalatedTo, string? AppealDecision = null);
public sealed record TicketContactDto(string MaskedPhone, string? Name, bool CallbackRequested);

/// <summary>A ticket as staff see it: the contact masked (the clear number only through /contact), the history in full.</summary>
public sealed record TicketDto(string Number, string Source, string Kind, string? Category, string RegionCode, string? Address, double? Latitude, double? Longitude,
    string Description, TicketContactDto? Contact, string State, string? AssigneeKind, string? Assignee, IReadOnlyList<string> Hops, string? Result,
    string? Feedback, string? RejectReason, string? DuplicateOf, int Reopens, bool Supervised, DateTimeOffset ReceivedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? AcceptedAt, DateTimeOffset? HandledAt, DateTimeOffset? ClosedAt, DateTimeOffset? DueAt, bool Overdue, DateTimeOffset? OverdueSince,
    int EscalationLevel, string? EscalatedTo, IReadOnlyList<TicketStepDto> Steps, string? ResidentKey = null, string? AppealReason = null,
    string? AppealDecision = null, string? SuggestedKeyPersonCategory = null)
{
    public static TicketDto From(Ticket t) => new(t.Number, t.Source.ToString(), t.Kind.ToString(), t.Category?.ToString(), t.Location.Region.Value,
        t.Location.Address, t.Location.Latitude, t.Location.Longitude, t.Description,
        t.Contact is { } c ? new TicketContactDto(c.MaskedPhone, c.Name, c.CallbackRequested) : null, t.State.ToString(), t.Assignee?.Kind.ToString(),
        t.Assignee?.Code, t.Hops.Select(h => h.ToString()).ToList(), t.Result, t.Feedback?.ToString(), t.RejectReason?.ToString(), t.DuplicateOf,
        t.Reopens, t.Supervised, t.ReceivedAt, t.UpdatedAt, t.AcceptedAt, t.HandledAt, t.ClosedAt, t.DueAt, t.Overdue, t.OverdueSince,
        t.EscalationLevel, t.EscalatedTo?.Value, t.Steps.Select(s => new TicketStepDto(s.Kind.ToString(), s.At, s.Actor.Id, s.Actor.Role,
            s.From.ToString(), s.To.ToString(), s.Note, s.Assignee?.ToString(), s.RejectReason?.ToString(), s.DuplicateOf, s.Feedback?.ToString(),
            s.EscalatedTo, s.AppealDecision?.ToString())).ToList(),
        t.ResidentKey, t.AppealReason?.ToString(), t.AppealDecision?.ToString(),
        t.Source == TicketSource.ResidentAppeal ? null : LeadCategories.KeyPersonCategoryFor(t.Category)?.ToString());
}

/// <summary>A queue line: no personal data (the read model holds none).</summary>
public sealed record TicketQueueItem(string Number, string State, string Kind, string? Category, string Source, string RegionCode, string? AssigneeKind,
    string? Assignee, bool Overdue, int EscalationLevel, string? EscalatedTo, DateTimeOffset? DueAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static TicketQueueItem From(TicketRow r, DateTimeOffset now) => new(r.Number, r.State.ToString(), r.Kind.ToString(), r.Category?.ToString(),
        r.Source.ToString(), r.RegionCode, r.AssigneeKind?.ToString(), r.Assignee, r.OverdueAt(now), r.EscalationLevel, r.EscalatedTo, r.DueAt,
        r.CreatedAt, r.UpdatedAt);
}
public sealed record TicketQueuePage(IReadOnlyList<TicketQueueItem> Items, string? Next);
public sealed record TicketFiguresDto(DateOnly? Day, int Received, int Accepted, int Rejected, int Closed, int Open, int Overdue, double? ClosingRate,
    double? MedianHoursToClose, double? P90HoursToClose);
public sealed record TicketFiguresReport(string Region, DateOnly From, DateOnly To, TicketFiguresDto Total, IReadOnlyList<TicketFiguresDto> Days);
public sealed record TicketCatalogue(IReadOnlyList<object> Categories, IReadOnlyList<string> Kinds, IReadOnlyList<string> Sources, IReadOnlyList<TicketDepartment> Departments);
