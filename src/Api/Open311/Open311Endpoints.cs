using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Tickets;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Time;
using Sanmenxia.Tickets;
using Sanmenxia.Tickets.Open311;

namespace Sanmenxia.Api.Open311;

/// <summary>
/// Leads and tickets through the Open311 GeoReport v2 API (docs/tickets.md, "Open311"), mounted under /open311/v2 with
/// the discovery document at /open311/discovery.{xml|json}. Anonymous like the lead route: services and their definitions
/// for everyone; POST requests files a lead through the lead route's own path (TicketEndpoints.FileLeadAsync) under its
/// per-client rate limit, which GET requests and GET requests/{id} share with the public status read. The answer to a
/// POST carries the ticket number as service_request_id at once (every service is "realtime"; no tokens). An api_key is
/// accepted and not required (leads are anonymous; the rate limit stands in for keys). One jurisdiction: a
/// jurisdiction_id other than Open311:JurisdictionId is 404, none is fine.
/// </summary>
public static partial class Open311Endpoints
{
    public const string Prefix = "/open311";
    public const string Root = Prefix + "/v2";
    public const string DefaultJurisdiction = "smx.gov.cn";
    public const string Specification = "http://wiki.open311.org/GeoReport_v2";
    /// <summary>When the service list or a definition last changed (the discovery changeset).</summary>
    public const string Changeset = "2026-12-05T00:00:00+08:00";
    /// <summary>Who files a request through Open311 (role "public", like the lead form's "anonymous").</summary>
    public static readonly TicketActor Actor = new("open311", "public");

    private const string Format = "{format:regex(^(xml|json)$)}";

    public static IEndpointRouteBuilder MapOpen311Endpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet($"{Prefix}/discovery.{Format}", Discovery).AllowAnonymous().WithTags("Open311");
        var v2 = app.MapGroup(Root).WithTags("Open311").AllowAnonymous();
        v2.MapGet($"/services.{Format}", Services);
        v2.MapGet($"/services/{{serviceCode}}.{Format}", Definition);
        // A re-run would allocate a second number: a rejected grain call answers 503 and the client sends again.
        v2.MapPost($"/requests.{Format}", PostRequestAsync).RequireRateLimiting(TicketEndpoints.PublicRateLimit)
            .WithoutRejectionRetry();
        v2.MapGet($"/requests.{Format}", GetRequestsAsync).RequireRateLimiting(TicketEndpoints.PublicRateLimit);
        v2.MapGet($"/requests/{{id}}.{Format}", GetRequestAsync).RequireRateLimiting(TicketEndpoints.PublicRateLimit);
        // Anything else under the prefix (an unknown resource or format, tokens, another method) is the spec's 404, for
        // everyone: without this the fallback authorization policy would answer 401 to an anonymous client.
        app.Map($"{Prefix}/{{**rest}}", (HttpContext http) => Open311Document.Errors(StatusCodes.Status404NotFound,
                [$"No such Open311 resource or method (the resources are listed at {Prefix}/discovery.xml)."]).As(Open311ErrorTranslation.FormatOf(http.Request.Path)))
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    internal static Open311Format FormatOf(string format) => format == "json" ? Open311Format.Json : Open311Format.Xml;

    private static Open311Document Error(string format, int status, params string[] descriptions) =>
        Open311Document.Errors(status, descriptions).As(FormatOf(format));

    /// <summary>null when the jurisdiction is ours (or not given), else the 404 to answer.</summary>
    private static Open311Document? ForeignJurisdiction(string format, string? jurisdiction, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(jurisdiction)) return null;
        var ours = configuration["Open311:JurisdictionId"] ?? DefaultJurisdiction;
        return string.Equals(jurisdiction.Trim(), ours, StringComparison.OrdinalIgnoreCase) ? null
            : Error(format, StatusCodes.Status404NotFound, $"jurisdiction_id: '{Clip(jurisdiction)}' is not served here (this endpoint serves {ours})");
    }

    internal static string Clip(string text) => text.Length > 40 ? text[..40] + "…" : text;

    private static IResult Discovery(string format, HttpContext http) => Open311Document.Object("discovery", new Open311Fields()
            .With("changeset", Changeset)
            .With("contact", "三门峡市 12345 便民服务热线：拨打 12345 · Sanmenxia 12345 hotline: call 12345")
            .With("key_service", "无需 API key，按客户端地址限流 · No API key is needed; requests are rate-limited per client address")
            .With("endpoints", new Open311List("endpoint", [new Open311Fields()
                .With("specification", Specification)
                .With("url", $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{Root}")
                .With("changeset", Changeset)
                .With("type", "production")
                .With("formats", new Open311List("format", ["text/xml", "application/json"]))])))
        .As(FormatOf(format));

    private static IResult Services(string format, [FromQuery(Name = "jurisdiction_id")] string? jurisdiction, IConfiguration configuration) =>
        ForeignJurisdiction(format, jurisdiction, configuration) ?? (IResult)Open311Document.List("services", "service", Open311Services.All.Select(s =>
            new Open311Fields()
                .With("service_code", s.Code)
                .With("service_name", s.Name)
                .With("description", s.Description)
                .With("metadata", Open311Services.Attributes.Count > 0)
                .With("type", "realtime")
                .With("keywords", s.Keywords)
                .With("group", s.Group))).As(FormatOf(format));

    private static IResult Definition(string serviceCode, string format, [FromQuery(Name = "jurisdiction_id")] string? jurisdiction, IConfiguration configuration)
    {
        if (ForeignJurisdiction(format, jurisdiction, configuration) is { } foreign) return foreign;
        if (Open311Services.Find(serviceCode) is not { } service)
            return Error(format, StatusCodes.Status404NotFound, $"service_code: no service '{Clip(serviceCode)}' (GET services lists them)");
        return Open311Document.Object("service_definition", new Open311Fields()
            .With("service_code", service.Code)
            .With("attributes", new Open311List("attribute", Open311Services.Attributes.Select(a => (object)new Open311Fields()
                .With("variable", true)
                .With("code", a.Code)
                .With("datatype", a.Datatype)
                .With("required", a.Required)
                .With("datatype_description", a.DatatypeDescription)
                .With("order", a.Order)
                .With("description", a.Description)
                .With("values", new Open311List("value", a.Values.Select(v => (object)new Open311Fields().With("key", v.Key).With("name", v.Value)).ToList())))
                .ToList()))).As(FormatOf(format));
    }

    internal static Open311Views Views(RegionCatalog regions, IOptions<TicketOptions> options, DomainCalendar calendar) => new(regions, options.Value, calendar);
}
