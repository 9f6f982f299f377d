using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Tickets;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.Security;
using Sanmenxia.Tickets;
using Sanmenxia.Tickets.Open311;

namespace Sanmenxia.Api.Open311;

/// <summary>POST requests (file a lead), GET requests (search) and GET requests/{id} (follow one).</summary>
public static partial class Open311Endpoints
{
    /// <summary>The specification's response volume: at most 1,000 requests (and 90 days).</summary>
    public const int MaxRequests = 1000;
    /// <summary>At most this many service_request_id in one GET requests.</summary>
    public const int MaxIds = 100;

    // The lead route's field names → the Open311 parameters they came from.
    private static readonly Dictionary<string, string> ParameterOf = new(StringComparer.Ordinal)
    {
        ["category"] = "service_code",
        ["regionCode"] = "attribute[" + Open311Services.RegionAttribute + "]",
        ["address"] = "address_string",
        ["latitude"] = "lat",
        ["longitude"] = "long",
        ["name"] = "first_name",
        ["phone"] = "phone",
        ["description"] = "description",
    };

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id", "email", "device_id", "account_id",
        "first_name", "last_name", "phone", "description", "media_url",
    };

    private static async Task<IResult> PostRequestAsync(string format, HttpContext http, IConfiguration configuration, IGrainFactory grains,
        RegionCatalog regions, PseudonymousKeys keys, DomainCalendar calendar, IOptions<TicketOptions> options)
    {
        if (!http.Request.HasFormContentType)
            return Error(format, StatusCodes.Status400BadRequest, "The body must be application/x-www-form-urlencoded (GeoReport v2 POST requests).");
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(http.RequestAborted);
        }
        catch (InvalidDataException e)
        {
            // The form reader refuses what it cannot decode (a %00, too many or too long values) before any field is seen.
            return Error(format, StatusCodes.Status400BadRequest, $"The form could not be read: {e.Message}");
        }
        string? Value(string name) => form.TryGetValue(name, out var v) && v.Count > 0 && !string.IsNullOrWhiteSpace(v[^1]) ? v[^1]!.Trim() : null;

        var errors = new List<string>();
        foreach (var (parameter, values) in form)
        {
            foreach (var value in values)
                if (value is not null && UnsafeText.Check(value, allowLineBreaks: parameter == "description") is { } refused) errors.Add($"{Clip(parameter)}: {refused}");
            if (!Known.Contains(parameter) && !IsKnownAttribute(parameter)) errors.Add($"{Clip(parameter)}: unknown parameter (attributes: {string.Join(", ", Open311Services.Attributes.Select(a => $"attribute[{a.Code}]"))})");
        }
        if (errors.Count > 0) return Error(format, StatusCodes.Status400BadRequest, [.. errors]);
        if (ForeignJurisdiction(format, Value("jurisdiction_id"), configuration) is { } foreign) return foreign;
        if (Value("service_code") is not { } code) return Error(format, StatusCodes.Status400BadRequest, "service_code: is required (GET services lists them)");
        // The specification's rule: a service_code that names no service is 404, like an unknown resource.
        if (Open311Services.Find(code) is not { } service)
            return Error(format, StatusCodes.Status404NotFound, $"service_code: no service '{Clip(code)}' (GET services lists them)");

        var latitude = Number(errors, "lat", Value("lat"));
        var longitude = Number(errors, "long", Value("long"));
        var regionAttribute = Value($"attribute[{Open311Services.RegionAttribute}]");
        var addressId = Value("address_id");
        if (Value("lat") is null && Value("long") is null && Value("address_string") is null && addressId is null)
            errors.Add("location: give lat and long, address_string or address_id");
        if (regionAttribute is null && addressId is null)
            errors.Add($"attribute[{Open311Services.RegionAttribute}]: is required (the code of the city, county, township or village; or give it as address_id)");
        else if (regionAttribute is not null && addressId is not null && regionAttribute != addressId)
            errors.Add($"address_id: names region {Clip(addressId)} but attribute[{Open311Services.RegionAttribute}] names {Clip(regionAttribute)}");
        bool? callback = Value($"attribute[{Open311Services.CallbackAttribute}]") switch
        {
            null => null,
            "true" => true,
            "false" => false,
            var other => Refuse(errors, $"attribute[{Open311Services.CallbackAttribute}]: must be true or false, not '{Clip(other)}'"),
        };
        if (errors.Count > 0) return Error(format, StatusCodes.Status400BadRequest, [.. errors]);

        var name = string.Join(" ", new[] { Value("first_name"), Value("last_name") }.Where(n => n is not null));
        var lead = new LeadRequest(service.Category?.ToString(), regionAttribute ?? addressId, Value("address_string"), latitude, longitude,
            Value("description"), Value("phone"), name.Length == 0 ? null : name, callback);
        var filed = await TicketEndpoints.FileLeadAsync(lead, service.Kind, Actor, grains, regions, keys, calendar);
        if (filed.Ticket is not { } ticket)
            return Error(format, StatusCodes.Status400BadRequest, [.. filed.Errors.ToDictionary().SelectMany(e => e.Value.Select(reason =>
                $"{(e.Key == "regionCode" && regionAttribute is null ? "address_id" : ParameterOf.GetValueOrDefault(e.Key, e.Key))}: {reason}"))]);

        // email, device_id, account_id and media_url are not kept: the ticket takes no more than the lead form does.
        http.Response.Headers.Location = $"{http.Request.PathBase}{Root}/requests/{ticket.Number}.{format}";
        return Open311Document.List("service_requests", "request", [new Open311Fields()
            .With("service_request_id", ticket.Number)
            .With("service_notice", Views(regions, options, calendar).ServiceNotice)
            .With("account_id", null)], StatusCodes.Status201Created).As(FormatOf(format));
    }

    private static bool IsKnownAttribute(string name) =>
        Open311Services.Attributes.Any(a => name == $"attribute[{a.Code}]");

    private static bool? Refuse(List<string> errors, string error)
    {
        errors.Add(error);
        return null;
    }

    private static double? Number(List<string> errors, string field, string? text)
    {
        if (text is null) return null;
        if (text.Length <= 30 && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)) return value;
        errors.Add($"{field}: '{Clip(text)}' is not a number");
        return null;
    }

    private static async Task<IResult> GetRequestAsync(string id, string format, [FromQuery(Name = "jurisdiction_id")] string? jurisdiction,
        IConfiguration configuration, IGrainFactory grains, RegionCatalog regions, IOptions<TicketOptions> options, DomainCalendar calendar)
    {
        if (ForeignJurisdiction(format, jurisdiction, configuration) is { } foreign) return foreign;
        var views = Views(regions, options, calendar);
        var ticket = TicketNumbers.IsValid(id) ? await grains.GetGrain<ITicketGrain>(id).GetAsync() : null;
        if (ticket is null || await views.RequestAsync(ticket) is not { } request)
            return Error(format, StatusCodes.Status404NotFound, $"service_request_id: no request '{Clip(id)}'");
        return Open311Document.List("service_requests", "request", [request]).As(FormatOf(format));
    }

    private static async Task<IResult> GetRequestsAsync(string format, HttpContext http, IConfiguration configuration, IGrainFactory grains,
        ITicketSearch search, RegionCatalog regions, IOptions<TicketOptions> options, DomainCalendar calendar)
    {
        var query = http.Request.Query;
        string? Value(string name) => query.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;
        static string[] List(string? text) => text is null ? [] : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ForeignJurisdiction(format, Value("jurisdiction_id"), configuration) is { } foreign) return foreign;
        var views = Views(regions, options, calendar);

        IReadOnlyList<string> numbers;
        var ids = List(Value("service_request_id"));
        if (ids.Length > 0)
        {
            // "This overrides all other arguments": the requests named, in the order named; unknown ones are left out.
            if (ids.Length > MaxIds) return Error(format, StatusCodes.Status400BadRequest, $"service_request_id: at most {MaxIds} at once");
            numbers = ids.Where(TicketNumbers.IsValid).Distinct(StringComparer.Ordinal).ToList();
        }
        else
        {
            var errors = new List<string>();
            var kinds = new List<TicketKindFilter>();
            foreach (var code in List(Value("service_code")))
                if (Open311Services.Find(code) is { } s) kinds.Add(new TicketKindFilter(s.Kind, s.Category));
                else errors.Add($"service_code: no service '{Clip(code)}' (GET services lists them)");
            if (kinds.Count == 0) kinds.AddRange(Open311Services.All.Select(s => new TicketKindFilter(s.Kind, s.Category)));
            var statuses = List(Value("status"));
            foreach (var status in statuses.Where(s => s is not (Open311Status.Open or Open311Status.Closed)))
                errors.Add($"status: '{Clip(status)}' is neither open nor closed");
            bool? open = statuses.Contains(Open311Status.Open) == statuses.Contains(Open311Status.Closed) ? null : statuses.Contains(Open311Status.Open);
            DateTimeOffset? Date(string name)
            {
                if (Value(name) is not { } text) return null;
                if (Open311Time.TryParse(text, views.Zone, out var at)) return at;
                errors.Add($"{name}: '{Clip(text)}' is not a W3C date-time with an offset (e.g. 2020-02-05T00:00:00+08:00) or a date");
                return null;
            }
            var window = Open311Time.Window(Date("start_date"), Date("end_date"), calendar.Now, out var windowError);
            if (windowError is not null) errors.Add(windowError);
            if (errors.Count > 0 || window is not { } w) return Error(format, StatusCodes.Status400BadRequest, [.. errors]);
            numbers = await search.SearchAsync(new TicketSearchQuery(w.From, w.To, kinds, open, MaxRequests), http.RequestAborted);
        }

        var requests = new Open311Fields?[numbers.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, numbers.Count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = http.RequestAborted },
            async (i, _) => requests[i] = await grains.GetGrain<ITicketGrain>(numbers[i]).GetAsync() is { } t ? await views.RequestAsync(t) : null);
        return Open311Document.List("service_requests", "request", requests.OfType<Open311Fields>()).As(FormatOf(format));
    }
}
