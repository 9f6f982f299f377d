using System.Globalization;
using Sanmenxia.Api.Regions;
using Sanmenxia.HealthCode;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Time;
using Sanmenxia.Tickets;
using Sanmenxia.Tickets.Open311;

namespace Sanmenxia.Api.Open311;

/// <summary>
/// A ticket as the public sees it through Open311: no personal data. Never the caller's phone, name or identity, the
/// handler's result or staff notes. The description, the free-text address and the map point are shown only when the
/// reporter wrote them through Open311 itself (their own text for a public channel; the first step's actor is
/// <see cref="Open311Endpoints.Actor"/>), and then with phone- and ID-like numbers masked (<see cref="PersonalDataMask"/>);
/// tickets recorded by the hotline or filed on the portal show the region's names only. Times carry the city's offset.
/// </summary>
public sealed class Open311Views(RegionCatalog regions, TicketOptions options, DomainCalendar calendar)
{
    public const string HotlineCentre = "12345 便民服务热线 · 12345 hotline centre";

    private readonly TimeZoneInfo _zone = HealthCodeRules.TimeZone(calendar.Policy);

    public string Time(DateTimeOffset instant) => Open311Time.Format(instant, _zone);

    public TimeZoneInfo Zone => _zone;

    /// <summary>The deadlines of the policy, as the notice every request gets.</summary>
    public string ServiceNotice => string.Create(CultureInfo.InvariantCulture,
        $"{Hours(options.AcceptWithin)} 小时内受理，{Hours(options.HandleWithin)} 小时内办理，{Hours(options.CloseWithin)} 小时内办结 · " +
        $"Accepted within {Hours(options.AcceptWithin)} h, handled within {Hours(options.HandleWithin)} h, closed within {Hours(options.CloseWithin)} h");

    private static string Hours(TimeSpan span) => span.TotalHours.ToString("0.##", CultureInfo.InvariantCulture);

    public static bool FiledThroughOpen311(Ticket ticket) => ticket.Steps.Count > 0 && ticket.Steps[0].Actor.Id == Open311Endpoints.Actor.Id;

    /// <summary>The request of a ticket, or null when Open311 does not serve its kind (an appeal).</summary>
    public async Task<Open311Fields?> RequestAsync(Ticket ticket)
    {
        if (Open311Services.Of(ticket.Kind, ticket.Category) is not { } service) return null;
        var agency = await AgencyAsync(ticket.Assignee);
        var own = FiledThroughOpen311(ticket);
        var place = await PlaceAsync(ticket.Location.Region.Value);
        var address = own && PersonalDataMask.Apply(ticket.Location.Address) is { Length: > 0 } written ? $"{written}, {place}" : place;
        var expected = Open311Status.Expected(ticket);
        return new Open311Fields()
            .With("service_request_id", ticket.Number)
            .With("status", Open311Status.Of(ticket.State))
            .With("status_notes", Open311Status.Notes(ticket.State, ticket.RejectReason, ticket.DuplicateOf,
                ticket.State == TicketState.Dispatched ? agency : null, ticket.Overdue))
            .With("service_name", service.Name)
            .With("service_code", service.Code)
            .With("description", own ? PersonalDataMask.Apply(ticket.Description) : null)
            .With("agency_responsible", agency)
            .With("service_notice", ServiceNotice)
            .With("requested_datetime", Time(ticket.ReceivedAt))
            .With("updated_datetime", Time(Open311Status.Updated(ticket)))
            .With("expected_datetime", expected is { } e ? Time(e) : null)
            .With("address", address)
            .With("address_id", ticket.Location.Region.Value)
            .With("zipcode", null)
            .With("lat", own ? ticket.Location.Latitude : null)
            .With("long", own ? ticket.Location.Longitude : null)
            .With("media_url", null);
    }

    /// <summary>Who holds it: the department's or village's name once dispatched, else the 12345 centre.</summary>
    public async Task<string> AgencyAsync(TicketAssignee? assignee) => assignee switch
    {
        { Kind: AssigneeKind.Department } d => options.FindDepartment(d.Code)?.Name ?? d.Code,
        { Kind: AssigneeKind.Village } v => await PlaceAsync(v.Code),
        _ => HotlineCentre,
    };

    /// <summary>The region and its parents' names, most specific first (as GeoReport v2 orders an address).</summary>
    public async Task<string> PlaceAsync(string code)
    {
        var names = new List<string>();
        for (var region = await regions.FindAsync(code); region is not null && names.Count < 6; region = await regions.FindAsync(region.ParentCode?.Value))
            names.Add(region.Name);
        return names.Count > 0 ? string.Join(", ", names) : code;
    }
}
