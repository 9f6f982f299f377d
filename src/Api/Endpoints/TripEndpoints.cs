using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Sanmenxia.Api.Csv;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Security;
using Sanmenxia.Api.Trips;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Time;
using Sanmenxia.HealthCode;
using Sanmenxia.Residents;
using Sanmenxia.Trips;

namespace Sanmenxia.Api.Endpoints;

public sealed record TripRequest(string? Mode, string? Number, DateOnly? Date, int? Carriage, int? Row, string? Seat);
public sealed record PublishCaseRequest(string? Mode, string? Number, DateOnly? Date, int? Carriage, int? Row, string? Seat, string? From, string? To, string? Source);
public sealed record TripQueryResponse(string Trip, string Mode, string Number, DateOnly Date, bool Matched, string Risk, IReadOnlyList<object> Cases, string Advice, string AdviceCode);
public sealed record SavedTripResponse(SavedTrip Trip, IReadOnlyList<TripMatch> Matches);
public sealed record CaseImportReport(int Rows, int Published, IReadOnlyList<ImportLineError> Errors);

/// <summary>Platform 2 (同行查询): anyone asks about a trip; commanders publish cases' trips; residents save theirs and are matched.</summary>
public static class TripEndpoints
{
    public const string QueryRateLimit = "trip-query";

    public static IServiceCollection AddTripRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var permits = configuration.GetSection(TripOptions.Section).Get<TripOptions>()?.QueryPermitsPerMinute ?? 30;
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(QueryRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            AuthEndpoints.AddCodeRateLimit(o, configuration);
            o.OnRejected = async (context, ct) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                var what = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == AuthEndpoints.CodeRateLimit
                    ? "Too many code requests from this address; wait before asking again." : "Too many trip queries from this address; wait a minute.";
                await Refusals.TooMany(what, retry, context.HttpContext).ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    public static IEndpointRouteBuilder MapTripEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/trips/query", Query).WithTags("Trips").AllowAnonymous().RequireRateLimiting(QueryRateLimit);

        var cases = app.MapGroup("/api/trips").WithTags("Trips").RequireAuthorization(Policies.Commander);
        cases.MapPost("/cases", Publish);
        cases.MapGet("/cases", ListPublished);
        cases.MapPost("/cases/import", Import).Accepts<string>("text/csv").WithMetadata(new RequestSizeLimitAttribute(16 * 1024 * 1024));
        // The trip grain stores the withdrawal before its reminder call: re-run after that call was rejected, it would answer 404.
        cases.MapPost("/{tripKey}/cases/{caseId}/withdraw", Withdraw).WithoutRejectionRetry();

        var mine = app.MapGroup("/api/residents/me/trips").WithTags("Trips").RequireAuthorization(Policies.Resident);
        mine.MapPost("/", SaveTrip);
        mine.MapGet("/", (ClaimsPrincipal user, IGrainFactory grains) => ResidentEndpoints.WithResident(user, async key =>
        {
            var (trips, matches) = await grains.GetGrain<IResidentGrain>(key).GetTripsAsync();
            return Results.Ok(new { trips, matches });
        }));
        return app;
    }

    // ------------------------------------------------------------------ anonymous query

    private static async Task<IResult> Query(string? mode, string? number, DateOnly? date, int? carriage, int? row, IGrainFactory grains,
        DomainCalendar calendar)
    {
        var errors = new FieldErrors();
        var trip = ValidateTrip(errors, mode, number, date, calendar);
        var seat = ValidateSeat(errors, carriage, row, null);
        if (errors.Any) return Refusals.Fields(errors);
        var result = await grains.GetGrain<ITripGrain>(trip!.Key).QueryAsync(seat);
        var matched = result.Cases.Count > 0;
        var (advice, code) = result.Risk switch
        {
            TripRisk.NearbySeats => ("A confirmed case sat near you. Register with your village or community now and isolate at home; do not go out. 确诊病例与您座位相近：请立即向村（社区）报备并居家隔离。", "register-and-isolate"),
            TripRisk.SameCarriage => ("A confirmed case was in your carriage. Register with your village or community and isolate at home. 确诊病例与您同车厢：请向村（社区）报备并居家隔离。", "register-and-isolate"),
            TripRisk.SameTrip => ("A confirmed case was on this trip. Register with your village or community and watch your health for 14 days. 确诊病例与您同行：请向村（社区）报备并观察14天。", "register-and-watch"),
            _ => ("No confirmed case has been published for this trip. Keep clocking in daily. 暂未发现确诊病例同行。", "none"),
        };
        var cases = result.Cases.Select(c => (object)new { c.Seat.Carriage, c.Seat.Row, c.From, c.To, c.Source, c.PublishedAt }).ToList();
        return Results.Ok(new TripQueryResponse(trip.Key, trip.Mode.ToString(), trip.Number, trip.Date, matched, result.Risk.ToString(), cases, advice, code));
    }

    // ------------------------------------------------------------------ publication (commanders)

    private static async Task<IResult> Publish(PublishCaseRequest body, IGrainFactory grains, ClaimsPrincipal user, AuditTrail audit,
        DomainCalendar calendar)
    {
        var errors = new FieldErrors();
        var trip = ValidateTrip(errors, body.Mode, body.Number, body.Date, calendar);
        var seat = ValidateSeat(errors, body.Carriage, body.Row, body.Seat);
        errors.Require("source", body.Source, 200);
        if (body.From is { Length: > 50 }) errors.Add("from", "must be at most 50 characters");
        if (body.To is { Length: > 50 }) errors.Add("to", "must be at most 50 characters");
        if (errors.Any) return Refusals.Fields(errors);
        var (from, to, source) = (body.From?.Trim(), body.To?.Trim(), body.Source!.Trim());
        // Audited before it is done: an audit that fails means the publication did not happen.
        await audit.RecordAsync(user, "trip.case.publish", null, null, $"{trip!.Key} {CaseIdOf(trip, seat, from, to, source)}");
        var published = await PublishAsync(grains, user, calendar, trip, seat, from, to, source);
        return Results.Created($"/api/trips/{trip!.Key}/cases/{published.CaseId}", new { trip = trip.Key, published });
    }

    private static async Task<PublishedCase> PublishAsync(IGrainFactory grains, ClaimsPrincipal user, DomainCalendar calendar, TripId trip, SeatInfo seat,
        string? from, string? to, string source)
    {
        var caseId = CaseIdOf(trip, seat, from, to, source);
        var published = await grains.GetGrain<ITripGrain>(trip.Key).PublishCaseAsync(trip,
            new PublishedCase(caseId, seat, from, to, source, calendar.Now, Caller.From(user).Subject));
        await grains.GetGrain<ITripIndexGrain>(0).AddAsync(trip);
        return published;
    }

    /// <summary>The same published line always gets the same case id: importing a list twice publishes nothing twice.</summary>
    private static string CaseIdOf(TripId trip, SeatInfo seat, string? from, string? to, string source) =>
        "c" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{trip.Key}|{seat.Carriage}|{seat.Row}|{seat.Seat}|{from}|{to}|{source}")))[..11];

    private static async Task<IResult> ListPublished(IGrainFactory grains)
    {
        var trips = await grains.GetGrain<ITripIndexGrain>(0).ListAsync();
        var results = await Task.WhenAll(trips.Take(500).Select(async t =>
        {
            var r = await grains.GetGrain<ITripGrain>(t.Key).QueryAsync(new SeatInfo(null, null, null));
            return new { trip = t.Key, mode = t.Mode.ToString(), number = t.Number, date = t.Date, cases = r.Cases };
        }));
        return Results.Ok(results);
    }

    private static async Task<IResult> Withdraw(string tripKey, string caseId, ReasonRequest body, IGrainFactory grains, ClaimsPrincipal user, AuditTrail audit)
    {
        if (string.IsNullOrWhiteSpace(body.Reason) || body.Reason.Length > 500) return Refusals.Field("reason", "is required (why the publication was wrong), at most 500 characters");
        if (!tripKey.Contains(':')) return Refusals.Field("tripKey", "is not a trip key (mode:number:yyyyMMdd)");
        // Audited before it is done: an audit that fails means the withdrawal did not happen (an entry for a case that
        // turns out not to exist records the attempt).
        await audit.RecordAsync(user, "trip.case.withdraw", null, null, $"{tripKey} {caseId}: {body.Reason}");
        var withdrawn = await grains.GetGrain<ITripGrain>(tripKey).WithdrawCaseAsync(caseId, body.Reason.Trim());
        if (!withdrawn) return Refusals.NotFound("No such published case on this trip (or it was withdrawn already).");
        return Results.NoContent();
    }

    /// <summary>The 2020 lists as CSV: date,mode,number,carriage,row,seat,from,to,source. Bad rows reported by line; good rows published.</summary>
    private static async Task<IResult> Import(HttpRequest request, IGrainFactory grains, ClaimsPrincipal user, AuditTrail audit,
        DomainCalendar calendar)
    {
        using var csv = await CsvImport.OpenAsync(request, CaseCsv.Columns);
        if (csv.Refusal is { } refusal) return refusal;
        var mapping = new CaseCsv(calendar);
        // The whole file is read (and refused, if it breaks the control-character rule) before anything is published.
        var valid = new List<CaseRow>();
        await foreach (var line in csv.RowsAsync())
            if (mapping.Map(line, csv) is { } row) valid.Add(row);
        // Audited before it is done: an audit that fails means nothing was published.
        await audit.RecordAsync(user, "trip.case.import", null, null, $"rows={csv.Rows}; valid={valid.Count}");
        foreach (var row in valid) await PublishAsync(grains, user, calendar, row.Trip, row.Seat, row.From, row.To, row.Source);
        return Results.Ok(new CaseImportReport(csv.Rows, valid.Count, csv.Errors));
    }

    // ------------------------------------------------------------------ residents save their trips

    private static Task<IResult> SaveTrip(TripRequest body, ClaimsPrincipal user, IGrainFactory grains, DomainCalendar calendar) =>
        ResidentEndpoints.WithResident(user, async key =>
        {
            var errors = new FieldErrors();
            var trip = ValidateTrip(errors, body.Mode, body.Number, body.Date, calendar);
            var seat = ValidateSeat(errors, body.Carriage, body.Row, body.Seat);
            if (errors.Any) return Refusals.Fields(errors);
            var (saved, matches) = await grains.GetGrain<IResidentGrain>(key).SaveTripAsync(trip!, seat);
            return Results.Created("/api/residents/me/trips", new SavedTripResponse(saved, matches));
        });

    // ------------------------------------------------------------------ validation

    internal static TripId? ValidateTrip(FieldErrors errors, string? mode, string? number, DateOnly? date, DomainCalendar calendar)
    {
        var today = calendar.Today;
        TravelMode parsedMode = default;
        if (!Enum.TryParse(mode, ignoreCase: true, out parsedMode) || !Enum.IsDefined(parsedMode) || int.TryParse(mode, out _))
            errors.Add("mode", "must be one of: Train, Flight, Coach, Car, Other");
        else if (!TripRules.TryNormalize(parsedMode, number, out var normalized, out var numberError))
            errors.Add("number", numberError!);
        else if (date is null) errors.Add("date", "is required (yyyy-MM-dd)");
        else if (date > today) errors.Add("date", "must not be in the future");
        else if (date < new DateOnly(2019, 12, 1)) errors.Add("date", "must not be before 2019-12-01");
        else return new TripId(parsedMode, normalized, date.Value);
        if (date is not null && date > today && !errors.ToDictionary().ContainsKey("date")) errors.Add("date", "must not be in the future");
        return null;
    }

    internal static SeatInfo ValidateSeat(FieldErrors errors, int? carriage, int? row, string? seat)
    {
        if (carriage is < 1 or > 40) errors.Add("carriage", "must be between 1 and 40");
        if (row is < 1 or > 200) errors.Add("row", "must be between 1 and 200");
        if (seat is { Length: > 8 }) errors.Add("seat", "must be at most 8 characters");
        return new SeatInfo(carriage, row, seat?.Trim().ToUpperInvariant());
    }
}
