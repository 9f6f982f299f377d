using System.Security.Claims;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Security;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Security;
using Sanmenxia.Tickets;

namespace Sanmenxia.Api.Tickets;

/// <summary>Open tickets that may repeat a new call: same place (the region or below), same category, received recently.</summary>
public sealed record SimilarTicketsPage(string Region, string Category, int Hours, IReadOnlyList<TicketQueueItem> Items, bool Truncated);

/// <summary>
/// <c>GET /api/tickets/similar?region=&amp;category=&amp;hours=24&amp;except=</c>: what the hotline console shows before an operator
/// accepts a report, so a second call about the same gathering is rejected as a duplicate of the first. The queue cannot say
/// "this category, received within the last day", so this reads the open tickets of the place through the same read model
/// (no personal data) and keeps those of the category received within <c>hours</c> (1..168, default 24). Only open tickets
/// are listed (a closed or rejected one is not worth repeating). Hotline and administrators: any place; commanders: places
/// within their jurisdiction. Not audited: a queue line holds no personal data (as <c>/queue</c>).
/// </summary>
public static class TicketSimilarEndpoints
{
    /// <summary>At most this many open tickets of one place are looked through (the queue pages of 500 each).</summary>
    private const int MaxScanned = 5000;

    public static IEndpointRouteBuilder MapTicketSimilarEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/tickets/similar", Similar).WithTags("Tickets").RequireAuthorization(Policies.AnyStaff);
        return app;
    }

    private static async Task<IResult> Similar(ClaimsPrincipal user, ITicketStore store, DomainCalendar calendar,
        string? region, string? category, string? except, int hours = 24)
    {
        var caller = Caller.From(user);
        var errors = new FieldErrors();
        RegionCode place = default;
        if (!RegionCode.TryParse(region, out place, out var regionError)) errors.Add("region", regionError);
        LeadCategory? wanted = null;
        if (string.IsNullOrWhiteSpace(category)) errors.Add("category", $"is required (one of: {string.Join(", ", Enum.GetNames<LeadCategory>())})");
        else if (!category.All(char.IsAsciiLetter) || !Enum.TryParse<LeadCategory>(category, ignoreCase: true, out var c) || !Enum.IsDefined(c))
            errors.Add("category", $"unknown value (one of: {string.Join(", ", Enum.GetNames<LeadCategory>())})");
        else wanted = c;
        if (hours is < 1 or > 168) errors.Add("hours", "must be 1..168");
        if (except is not null && !TicketNumbers.IsValid(except)) errors.Add("except", "is a ticket number: 12345-YYYYMMDD-NNNNNN");
        if (errors.Any) return Refusals.Fields(errors);

        switch (caller.Role)
        {
            case Roles.Hotline or Roles.Admin:
                break;
            case Roles.Commander:
                if (!caller.Covers(place)) return Refusals.Forbidden($"Region {place.Value} is outside your jurisdiction.");
                break;
            default:
                return Refusals.Forbidden("Looking for duplicates is the 12345 centre's and the commanders' work.");
        }

        var now = calendar.Now;
        var since = now - TimeSpan.FromHours(hours);
        var found = new List<TicketRow>();
        TicketCursor? after = null;
        var scanned = 0;
        var truncated = false;
        while (true)
        {
            var rows = await store.QueueAsync(new TicketQueueQuery(now, TicketEndpoints.Prefix(place), Take: 500, After: after));
            scanned += rows.Count;
            found.AddRange(rows.Where(r => r.Category == wanted && r.CreatedAt >= since && r.Number != except));
            if (rows.Count < 500) break;
            if (scanned >= MaxScanned) { truncated = true; break; }
            var last = rows[^1];
            after = new TicketCursor(last.OverdueAt(now), last.DueAt!.Value, last.Number);
        }
        var items = found.OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Number, StringComparer.Ordinal)
            .Select(r => TicketQueueItem.From(r, now)).ToList();
        return Results.Ok(new SimilarTicketsPage(place.Value, wanted!.Value.ToString(), hours, items, truncated));
    }
}
