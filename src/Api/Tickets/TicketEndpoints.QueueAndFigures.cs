using System.Security.Claims;
using Microsoft.Extensions.Options;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Security;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Security;
using Sanmenxia.Tickets;

namespace Sanmenxia.Api.Tickets;

/// <summary>The open-ticket queue of a jurisdiction (paged by cursor) and the daily figures of a region.</summary>
public static partial class TicketEndpoints
{
    private static async Task<IResult> Queue(ClaimsPrincipal user, ITicketStore store, DomainCalendar calendar, IOptions<TicketOptions> options,
        string? region, string? department, string? village, string? state, bool? escalated, string? after, int take = 50)
    {
        var caller = Caller.From(user);
        var errors = new FieldErrors();
        if (take is < 1 or > 500) errors.Add("take", "must be 1..500");
        if (!TicketCursor.TryDecode(after, out var cursor)) errors.Add("after", "is not a cursor this queue returned");
        var stateFilter = ParseEnum<TicketState>(errors, "state", state, required: false);
        if (stateFilter is TicketState.Closed or TicketState.Rejected) errors.Add("state", "queues hold open tickets only; find a closed one by its number");
        if (department is not null && options.Value.FindDepartment(department) is null) errors.Add("department", $"unknown department '{department}'");
        RegionCode? villageCode = null;
        if (village is not null)
        {
            if (!RegionCode.TryParse(village, out var v, out var verror)) errors.Add("village", verror);
            else if (v.Level != RegionLevel.Village) errors.Add("village", $"{village} is not a village code");
            else villageCode = v;
        }
        RegionCode? regionCode = null;
        if (region is not null)
        {
            if (!RegionCode.TryParse(region, out var r, out var rerror)) errors.Add("region", rerror);
            else regionCode = r;
        }
        if (errors.Any) return Refusals.Fields(errors);

        switch (caller.Role)
        {
            case Roles.Hotline or Roles.Admin:
                break;
            case Roles.Commander:
                regionCode ??= caller.Jurisdiction;
                if (regionCode is not { } rc || !caller.Covers(rc)) return Refusals.Forbidden("The queue's region is outside your jurisdiction.");
                if (villageCode is { } vc0 && !caller.Covers(vc0)) return Refusals.Forbidden($"Village {vc0.Value} is outside your jurisdiction.");
                break;
            case Roles.VillageStaff:
                // Village staff see what is dispatched to their village, nothing else.
                villageCode ??= caller.Jurisdiction is { Level: RegionLevel.Village } own ? own : null;
                if (villageCode is not { } vc || !caller.Covers(vc) || department is not null)
                    return Refusals.Forbidden("Village staff see the tickets dispatched to their own village.");
                break;
            default:
                return Refusals.Forbidden("Tickets are not part of your role.");
        }

        var now = calendar.Now;
        var rows = await store.QueueAsync(new TicketQueueQuery(now, regionCode is { } prefix ? Prefix(prefix) : null,
            options.Value.FindDepartment(department)?.Code, villageCode?.Value, stateFilter, escalated == true, take + 1, cursor));
        var page = rows.Take(take).ToList();
        var next = rows.Count > take ? new TicketCursor(page[^1].OverdueAt(now), page[^1].DueAt!.Value, page[^1].Number).Encode() : null;
        return Results.Ok(new TicketQueuePage(page.Select(r => TicketQueueItem.From(r, now)).ToList(), next));
    }

    private static async Task<IResult> Figures(ClaimsPrincipal user, ITicketStore store, DomainCalendar calendar, string? region, DateOnly? from, DateOnly? to)
    {
        var caller = Caller.From(user);
        if (caller.Role is not (Roles.Hotline or Roles.Admin or Roles.Commander or Roles.VillageStaff))
            return Refusals.Forbidden("Ticket figures are not part of your role.");
        var errors = new FieldErrors();
        RegionCode code = SanmenxiaRegions.CityCode;
        if (region is not null && !RegionCode.TryParse(region, out code, out var error)) errors.Add("region", error);
        else if (region is null && caller.Role is Roles.Commander or Roles.VillageStaff && caller.Jurisdiction is { } j) code = j;
        var last = to ?? calendar.Today;
        var first = from ?? last.AddDays(-6);
        if (first > last) errors.Add("from", "must not be after 'to'");
        else if (last.DayNumber - first.DayNumber > 91) errors.Add("from", "the period is at most 92 days");
        if (errors.Any) return Refusals.Fields(errors);
        if (caller.Role is Roles.Commander or Roles.VillageStaff && !caller.Covers(code))
            return Refusals.Forbidden($"Region {code.Value} is outside your jurisdiction.");

        var days = Enumerable.Range(0, last.DayNumber - first.DayNumber + 1).Select(i => first.AddDays(i)).ToList();
        var windows = days.Select(d => new TicketWindow(calendar.StartOfDay(d), calendar.EndOfDay(d)))
            .Append(new TicketWindow(calendar.StartOfDay(first), calendar.EndOfDay(last))).ToList();
        var figures = await store.FiguresAsync(Prefix(code), windows, calendar.Now);
        TicketFiguresDto Dto(TicketFigures f, DateOnly? day) => new(day, f.Received, f.Accepted, f.Rejected, f.Closed, f.Open, f.Overdue,
            Round(f.ClosingRate, 4), Round(f.MedianHoursToClose, 2), Round(f.P90HoursToClose, 2));
        return Results.Ok(new TicketFiguresReport(code.Value, first, last, Dto(figures[^1], null),
            days.Select((d, i) => Dto(figures[i], d)).ToList()));
    }

    /// <summary>The region prefix of a jurisdiction: the code itself, or the city's four digits (its counties do not extend "411200").</summary>
    public static string Prefix(RegionCode code) => code.Level == RegionLevel.City ? code.Value[..4] : code.Value;

    private static double? Round(double? value, int digits) => value is { } v ? Math.Round(v, digits) : null;
}
