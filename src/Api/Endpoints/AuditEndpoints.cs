using System.Globalization;
using System.Security.Claims;
using System.Text;
using Sanmenxia.Api.Csv;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Security;
using Sanmenxia.HealthCode;
using Sanmenxia.Identity;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Security;

namespace Sanmenxia.Api.Endpoints;

/// <summary>
/// The audit reader's filters, in a POST body: the resident is named by the ID number typed in (turned into the
/// pseudonymous key here, never stored, logged or put in a URL) or by their key. <c>cursor</c> continues a page.
/// </summary>
public sealed record AuditSearchRequest(string? Actor, string? IdNumber, string? ResidentKey, string? Action, string? Region,
    DateTimeOffset? From, DateTimeOffset? To, bool? BreakGlass, string? Cursor, int? Take);

public sealed record AuditRow(long Id, DateTimeOffset At, string ActorId, string ActorRole, string Action, string? SubjectKey, string? RegionCode, string? Detail);

/// <param name="Actors">With a resident filter: who read or changed their data (one row per actor); otherwise null.</param>
public sealed record AuditSearchResponse(IReadOnlyList<AuditRow> Items, string? Next, string? SubjectKey, IReadOnlyList<AuditActorSummary>? Actors);

/// <summary>
/// The audit reader (administrators and auditors, each within their jurisdiction): filtered, keyset-paged reads of the
/// append-only trail, "who looked at this resident", and a CSV export of the filtered trail. A search that names a
/// resident and every export are themselves on the trail.
/// </summary>
public static partial class AuditEndpoints
{
    public const int MaxExportRows = 100_000;

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization(Policies.AuditReader);
        audit.MapPost("/search", Search);
        audit.MapPost("/export", Export);
        return app;
    }

    private static async Task<IResult> Search(AuditSearchRequest body, ClaimsPrincipal user, IAuditLog log, AuditTrail audit, PseudonymousKeys keys,
        DomainCalendar calendar, CancellationToken ct)
    {
        var (search, refusal) = Parse(body, user, keys, calendar, body.Take ?? 50);
        if (refusal is not null) return refusal;
        // A search naming a resident is a read about them: recorded once, on its first page, before anything is returned.
        if (search!.SubjectKey is { } subject && body.Cursor is null)
            await audit.RecordAsync(user, AuditActions.AuditSearch, subject, Caller.From(user).Jurisdiction?.Value, Describe(search), ct);
        var page = await log.SearchAsync(search, ct);
        var actors = search.SubjectKey is { } key && body.Cursor is null ? await log.ActorsOfSubjectAsync(key, search.RegionPrefix, ct) : null;
        return Results.Ok(new AuditSearchResponse(page.Items.Select(Row).ToList(), page.Next is { } next ? EncodeCursor(next) : null, search.SubjectKey, actors));
    }

    private static async Task<IResult> Export(AuditSearchRequest body, ClaimsPrincipal user, IAuditLog log, AuditTrail audit, PseudonymousKeys keys,
        DomainCalendar calendar, CancellationToken ct)
    {
        var (search, refusal) = Parse(body with { Cursor = null }, user, keys, calendar, 1000);
        if (refusal is not null) return refusal;
        // Audited before anything is read: an audit that fails means no export.
        await audit.RecordAsync(user, AuditActions.AuditExport, search!.SubjectKey, Caller.From(user).Jurisdiction?.Value, Describe(search), ct);
        var zone = HealthCodeRules.TimeZone(calendar.Policy);
        var export = new CsvExport(["id", "at", "actor_id", "actor_role", "action", "subject_key", "region_code", "detail"]);
        var rows = 0;
        for (var page = await log.SearchAsync(search, ct); ; page = await log.SearchAsync(search, ct))
        {
            foreach (var r in page.Items)
                export.Row(r.Id, TimeZoneInfo.ConvertTime(r.Entry.At, zone).ToString("yyyy-MM-dd HH:mm:ss.fff zzz", CultureInfo.InvariantCulture),
                    r.Entry.ActorId, r.Entry.ActorRole, r.Entry.Action, r.Entry.SubjectKey, r.Entry.RegionCode, r.Entry.Detail);
            rows += page.Items.Count;
            if (page.Next is not { } next || rows >= MaxExportRows) break;
            search = search with { After = next, Take = Math.Min(1000, MaxExportRows - rows) };
        }
        return export.ToFile($"audit-{calendar.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv");
    }

    private static AuditRow Row(AuditRecord r) =>
        new(r.Id, r.Entry.At, r.Entry.ActorId, r.Entry.ActorRole, r.Entry.Action, r.Entry.SubjectKey, r.Entry.RegionCode, r.Entry.Detail);

    /// <summary>The filters as the trail records them: never the ID number (the subject key stands for it).</summary>
    private static string Describe(AuditSearch s) => string.Join("; ", new[]
    {
        s.ActorId is null ? null : $"actor={s.ActorId}",
        s.Action is null ? null : $"action={s.Action}",
        s.RegionPrefix is null ? null : $"region={s.RegionPrefix}",
        s.From is null ? null : $"from={s.From:O}",
        s.To is null ? null : $"to={s.To:O}",
        s.BreakGlassOnly ? "break-glass" : null,
    }.Where(x => x is not null));

    private static (AuditSearch? Search, IResult? Refusal) Parse(AuditSearchRequest body, ClaimsPrincipal user, PseudonymousKeys keys,
        DomainCalendar calendar, int take)
    {
        var errors = new FieldErrors();
        var caller = Caller.From(user);
        if (take is < 1 or > 1000) errors.Add("take", "must be between 1 and 1000");
        if (body.Actor is { } a && (a.Length is 0 or > 64)) errors.Add("actor", "must be 1..64 characters (a username)");
        if (body.Action is { } act && (act.Length is 0 or > 64)) errors.Add("action", "must be 1..64 characters");
        if (body.ResidentKey is { } rk && (rk.Length is 0 or > 64)) errors.Add("residentKey", "must be 1..64 characters");
        string? subject = body.ResidentKey;
        if (body.IdNumber is not null)
        {
            if (body.ResidentKey is not null) errors.Add("idNumber", "give the ID number or the residentKey, not both");
            else if (ResidentIdNumber.TryParse(body.IdNumber, calendar.Today, out var id, out var idError)) subject = keys.ForIdNumber(id.Value);
            else errors.Add("idNumber", idError ?? "is not a valid ID number");
        }
        if (body.From is { } f && body.To is { } t && t <= f) errors.Add("to", "must be after from");
        AuditCursor? after = null;
        if (body.Cursor is not null)
        {
            if (TryDecodeCursor(body.Cursor, out var cursor)) after = cursor;
            else errors.Add("cursor", "is not a cursor this reader gave (start again without one)");
        }
        var prefix = AdminEndpoints.AuditPrefix(caller);
        if (body.Region is not null)
        {
            if (!RegionCode.TryParse(body.Region, out var region, out var regionError)) errors.Add("region", regionError ?? "is not a region code");
            else if (!errors.Any && !caller.Covers(region)) return (null, Refusals.Forbidden($"Region {region.Value} is outside your jurisdiction."));
            else prefix = region.Level == RegionLevel.City ? region.Value[..4] : region.Value;
        }
        if (errors.Any) return (null, Refusals.Fields(errors));
        return (new AuditSearch(subject, body.Actor, body.Action, prefix, body.From, body.To, body.BreakGlass == true, after, take), null);
    }
}
