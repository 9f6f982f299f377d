using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Sanmenxia.Api.Csv;
using Sanmenxia.Api.KeyPersons;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Security;
using Sanmenxia.Platform.Time;
using Sanmenxia.HealthCode;
using Sanmenxia.Identity;
using Sanmenxia.KeyPersons;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Security;
using Sanmenxia.Villages;

namespace Sanmenxia.Api.Endpoints;

public sealed record KeyPersonRequest(string? Category, DateOnly? ExposureDate, string? Origin, string? Measure, string? Site, string? Problems);
public sealed record FollowUpRequest(string? Status, string? Note);
public sealed record MeasureRequest(string? Measure, string? Site, string? Problems);
public sealed record ReasonRequest(string? Reason);
public sealed record ComparisonImportReport(int Rows, int Matched, int AlreadyKnown, int Unmatched, IReadOnlyList<ImportLineError> Invalid);

/// <summary>Platform 4: village staff keep the key-person register; administrators import backend comparisons.</summary>
public static class KeyPersonEndpoints
{
    public static IEndpointRouteBuilder MapKeyPersonEndpoints(this IEndpointRouteBuilder app)
    {
        var entries = app.MapGroup("/api/villages/{code}/residents/{residentKey}/key-person").WithTags("Key persons").RequireAuthorization(Policies.Village);
        entries.MapPost("/", Register);
        entries.MapPost("/{entryId}/follow-up", (string code, string residentKey, string entryId, FollowUpRequest body, ClaimsPrincipal user, RegionCatalog regions, IGrainFactory grains, AuditTrail audit) =>
            Change(code, residentKey, entryId, user, regions, grains, audit, "key-person.follow-up", (errors) =>
            {
                var status = ParseEnum<FollowUpStatus>(errors, "status", body.Status);
                Note(errors, "note", body.Note, required: false);
                return (grain, actor) => grain.FollowUpAsync(entryId, status, body.Note?.Trim(), actor);
            }));
        entries.MapPost("/{entryId}/measure", (string code, string residentKey, string entryId, MeasureRequest body, ClaimsPrincipal user, RegionCatalog regions, IGrainFactory grains, AuditTrail audit) =>
            Change(code, residentKey, entryId, user, regions, grains, audit, "key-person.measure", (errors) =>
            {
                var measure = ParseEnum<ControlMeasure>(errors, "measure", body.Measure);
                Site(errors, measure, body.Site);
                Note(errors, "problems", body.Problems, required: false);
                return (grain, actor) => grain.UpdateMeasureAsync(entryId, measure, body.Site?.Trim(), body.Problems?.Trim(), actor);
            }));
        entries.MapPost("/{entryId}/confirm", (string code, string residentKey, string entryId, MeasureRequest body, ClaimsPrincipal user, RegionCatalog regions, IGrainFactory grains, AuditTrail audit) =>
            Change(code, residentKey, entryId, user, regions, grains, audit, "key-person.confirm", (errors) =>
            {
                var measure = ParseEnum<ControlMeasure>(errors, "measure", body.Measure);
                Site(errors, measure, body.Site);
                return (grain, actor) => grain.ConfirmAsync(entryId, measure, body.Site?.Trim(), actor);
            }));
        entries.MapPost("/{entryId}/dismiss", (string code, string residentKey, string entryId, ReasonRequest body, ClaimsPrincipal user, RegionCatalog regions, IGrainFactory grains, AuditTrail audit) =>
            Change(code, residentKey, entryId, user, regions, grains, audit, "key-person.dismiss", (errors) =>
            {
                Note(errors, "reason", body.Reason, required: true);
                return (grain, actor) => grain.DismissAsync(entryId, body.Reason!.Trim(), actor);
            }));
        entries.MapPost("/{entryId}/release", (string code, string residentKey, string entryId, ReasonRequest body, ClaimsPrincipal user, RegionCatalog regions, IGrainFactory grains, AuditTrail audit) =>
            Change(code, residentKey, entryId, user, regions, grains, audit, "key-person.release-early", (errors) =>
            {
                Note(errors, "reason", body.Reason, required: true);
                return (grain, actor) => grain.ReleaseEarlyAsync(entryId, body.Reason!.Trim(), actor);
            }));

        app.MapGet("/api/regions/{code}/key-persons", ListRegister).WithTags("Key persons").RequireAuthorization(Policies.Village);
        app.MapPost("/api/admin/key-persons/import", ImportComparison).WithTags("Key persons").RequireAuthorization(Policies.Admin)
            .Accepts<string>("text/csv").WithMetadata(new RequestSizeLimitAttribute(64L * 1024 * 1024))
            // Idempotent, but a re-run would report the entries the first run added as "already known".
            .WithoutRejectionRetry();
        return app;
    }

    // ------------------------------------------------------------------ register and change entries

    private static Task<IResult> Register(string code, string residentKey, KeyPersonRequest body, ClaimsPrincipal user, RegionCatalog regions,
        IGrainFactory grains, AuditTrail audit, DomainCalendar calendar) =>
        VillageEndpoints.InJurisdiction(code, user, regions, async village =>
        {
            var errors = new FieldErrors();
            var entry = ValidateEntry(errors, body, calendar, "village staff");
            if (errors.Any) return Refusals.Fields(errors);
            var (result, refusal) = await RegisterEntryAsync(village.Code.Value, residentKey, entry, user, grains, audit);
            return refusal ?? Results.Created($"/api/villages/{code}/residents/{residentKey}/key-person/{result!.Entry!.Id}", result.Entry);
        });

    /// <summary>The register's field rules for a new entry (also used by a ticket's one-step registration, TicketEndpoints).</summary>
    internal static NewKeyPersonEntry ValidateEntry(FieldErrors errors, KeyPersonRequest body, DomainCalendar calendar, string source)
    {
        var category = ParseEnum<KeyPersonCategory>(errors, "category", body.Category);
        var measure = ParseEnum<ControlMeasure>(errors, "measure", body.Measure);
        ExposureDate(errors, body.ExposureDate, calendar);
        Site(errors, measure, body.Site);
        Note(errors, "origin", body.Origin, required: category is KeyPersonCategory.CloseContact or KeyPersonCategory.FromOutsideCity);
        Note(errors, "problems", body.Problems, required: false);
        return new NewKeyPersonEntry(category, body.ExposureDate ?? default, body.Origin?.Trim(), measure, body.Site?.Trim(), body.Problems?.Trim(),
            Source: source, Pending: false);
    }

    /// <summary>
    /// Registers a validated entry for a resident of the village (404 when not one), audited before it is done; the
    /// resident grain's register decides the rest (422 with its reason).
    /// </summary>
    internal static async Task<(KeyPersonResult? Result, IResult? Refusal)> RegisterEntryAsync(string villageCode, string residentKey, NewKeyPersonEntry entry,
        ClaimsPrincipal user, IGrainFactory grains, AuditTrail audit, string? auditDetail = null)
    {
        if (!await grains.GetGrain<IVillageGrain>(villageCode).HasResidentAsync(residentKey))
            return (null, Refusals.NotFound("No such resident in this village."));
        var caller = Caller.From(user);
        await audit.RecordAsync(user, "key-person.register", residentKey, villageCode, auditDetail is null ? entry.Category.ToString() : $"{entry.Category}; {auditDetail}");
        var result = await grains.GetGrain<IResidentGrain>(residentKey).AddKeyPersonEntryAsync(entry, Actor.Staff(caller.Subject, caller.Role));
        return result.Accepted ? (result, null) : (null, Refusals.Unprocessable("Not registered", result.Refusal!));
    }

    private static Task<IResult> Change(string code, string residentKey, string entryId, ClaimsPrincipal user, RegionCatalog regions,
        IGrainFactory grains, AuditTrail audit, string action, Func<FieldErrors, Func<IResidentGrain, Actor, Task<KeyPersonResult>>> validate) =>
        VillageEndpoints.InJurisdiction(code, user, regions, async village =>
        {
            var errors = new FieldErrors();
            var change = validate(errors);
            if (errors.Any) return Refusals.Fields(errors);
            if (!await grains.GetGrain<IVillageGrain>(village.Code.Value).HasResidentAsync(residentKey))
                return Refusals.NotFound("No such resident in this village.");
            var caller = Caller.From(user);
            await audit.RecordAsync(user, action, residentKey, village.Code.Value, entryId);
            var result = await change(grains.GetGrain<IResidentGrain>(residentKey), Actor.Staff(caller.Subject, caller.Role));
            if (result.Accepted) return Results.Ok(result.Entry);
            return result.Entry is null ? Refusals.NotFound(result.Refusal!) : Refusals.Conflict(result.Refusal!);
        });

    // ------------------------------------------------------------------ the jurisdiction's register

    private static async Task<IResult> ListRegister(string code, ClaimsPrincipal user, RegionCatalog regions, IGrainFactory grains, AuditTrail audit,
        string? category, string? status, string? format, int skip = 0, int take = 100)
    {
        if (!RegionCode.TryParse(code, out var region, out var error)) return Refusals.Field("code", error);
        if (await regions.FindAsync(region.Value) is null) return Refusals.NotFound($"Unknown region {region.Value}.");
        if (!Caller.From(user).Covers(region)) return Refusals.Forbidden($"Region {region.Value} is outside your jurisdiction.");
        var errors = new FieldErrors();
        KeyPersonCategory? categoryFilter = category is null ? null : ParseEnum<KeyPersonCategory>(errors, "category", category);
        KeyPersonStatus? statusFilter = status is null ? null : ParseEnum<KeyPersonStatus>(errors, "status", status);
        if (format is not null and not "csv" and not "json") errors.Add("format", "must be json or csv");
        if (skip < 0) errors.Add("skip", "must not be negative");
        if (take is < 1 or > 5000) errors.Add("take", "must be between 1 and 5000");
        if (errors.Any) return Refusals.Fields(errors);

        // Villages under the region, from the catalogue; each lists its residents with register entries.
        var villages = new List<string>();
        await CollectVillages(regions, region.Value, villages);
        var lines = new List<RegisterLine>();
        foreach (var batch in villages.Chunk(64))
        {
            var perVillage = await Task.WhenAll(batch.Select(async v =>
            {
                var residents = await grains.GetGrain<IVillageGrain>(v).GetKeyPersonResidentsAsync();
                var found = new List<RegisterLine>();
                foreach (var r in residents)
                    foreach (var entry in await grains.GetGrain<IResidentGrain>(r.ResidentKey).GetKeyPersonEntriesAsync())
                        if ((categoryFilter is null || entry.Category == categoryFilter) && (statusFilter is null || entry.Status == statusFilter))
                            found.Add(new RegisterLine(r.ResidentKey, r.Name, r.MaskedIdNumber, v, entry));
                return found;
            }));
            lines.AddRange(perVillage.SelectMany(l => l));
        }
        var ordered = lines.OrderBy(l => l.VillageCode, StringComparer.Ordinal).ThenBy(l => l.Entry.CreatedAt).ToList();
        await audit.RecordAsync(user, "key-person.register.list", null, region.Value, $"category={category}; status={status}; format={format ?? "json"}");
        if (format == "csv") return ToCsv(ordered).ToText();
        return Results.Ok(new Page<RegisterLine>(ordered.Skip(skip).Take(take).ToList(), ordered.Count, skip, take));
    }

    private static async Task CollectVillages(RegionCatalog regions, string code, List<string> into)
    {
        if (code.Length == 12) { into.Add(code); return; }
        foreach (var child in await regions.ChildrenAsync(code)) await CollectVillages(regions, child.Code.Value, into);
    }

    private static CsvExport ToCsv(IReadOnlyList<RegisterLine> lines)
    {
        var csv = new CsvExport(["village_code", "resident_key", "name", "id_number_masked", "category", "status", "exposure_date", "origin",
            "measure", "site", "observation_ends_on", "needs_review", "last_follow_up", "last_follow_up_status", "closed_on", "close_reason", "source"]);
        foreach (var l in lines)
        {
            var last = l.Entry.FollowUps.LastOrDefault();
            csv.Row(l.VillageCode, l.ResidentKey, l.Name, l.MaskedIdNumber, l.Entry.Category, l.Entry.Status,
                l.Entry.ExposureDate.ToString("yyyy-MM-dd"), l.Entry.Origin, l.Entry.Measure, l.Entry.Site,
                l.Entry.ObservationEndsOn.ToString("yyyy-MM-dd"), l.Entry.NeedsReview, last?.Day.ToString("yyyy-MM-dd"), last?.Status,
                l.Entry.ClosedOn?.ToString("yyyy-MM-dd"), l.Entry.CloseReason, l.Entry.Source);
        }
        return csv;
    }

    // ------------------------------------------------------------------ backend comparison import

    /// <summary>
    /// An outside source's list (e.g. carriers' roaming data: "was in Hubei between dates"):
    /// id_number,category,from_date,to_date,source[,origin]. Matching residents get a pending entry for their
    /// village staff to confirm or dismiss; re-importing the same rows changes nothing.
    /// </summary>
    private static async Task<IResult> ImportComparison(HttpRequest request, IGrainFactory grains, PseudonymousKeys keys, ClaimsPrincipal user,
        AuditTrail audit, DomainCalendar calendar, CancellationToken ct)
    {
        using var csv = await CsvImport.OpenAsync(request, ComparisonCsv.Columns);
        if (csv.Refusal is { } refusal) return refusal;
        var mapping = new ComparisonCsv(calendar.Today);
        var rows = new List<ComparisonRow>();
        await foreach (var line in csv.RowsAsync())
            if (mapping.Map(line, csv) is { } row) rows.Add(row);

        // Audited before it is done: an audit that fails means no entry was added.
        await audit.RecordAsync(user, "key-person.comparison-import", null, null, $"rows={csv.Rows}; valid={rows.Count}");
        int matched = 0, known = 0, unmatched = 0;
        var caller = Caller.From(user);
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct }, async (row, _) =>
        {
            var residentKey = keys.ForIdNumber(row.Id.Value);
            var resident = grains.GetGrain<IResidentGrain>(residentKey);
            if (await resident.GetProfileAsync() is null) { Interlocked.Increment(ref unmatched); return; }
            // The same row always yields the same entry id: importing twice adds nothing.
            var entryId = "x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{row.Source}|{residentKey}|{row.Category}|{row.From}|{row.To}")))[..11];
            var before = (await resident.GetKeyPersonEntriesAsync()).Any(e => e.Id == entryId);
            await resident.AddKeyPersonEntryAsync(new NewKeyPersonEntry(row.Category, row.To, row.Origin ?? $"{row.Source}: {row.From:yyyy-MM-dd}..{row.To:yyyy-MM-dd}",
                ControlMeasure.None, null, null, row.Source, Pending: true, EntryId: entryId, PeriodFrom: row.From, PeriodTo: row.To), Actor.Staff(caller.Subject, caller.Role));
            if (before) Interlocked.Increment(ref known); else Interlocked.Increment(ref matched);
        });
        return Results.Ok(new ComparisonImportReport(csv.Rows, matched, known, unmatched, csv.ErrorsByLine()));
    }

    // ------------------------------------------------------------------ validation helpers

    private static T ParseEnum<T>(FieldErrors errors, string field, string? value) where T : struct, Enum
    {
        if (Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _)) return parsed;
        errors.Add(field, $"must be one of: {string.Join(", ", Enum.GetNames<T>())}");
        return default;
    }

    private static void ExposureDate(FieldErrors errors, DateOnly? date, DomainCalendar calendar)
    {
        var today = calendar.Today;
        if (date is null) errors.Add("exposureDate", "is required (arrival, last contact or fever date, yyyy-MM-dd)");
        else if (date > today) errors.Add("exposureDate", "must not be in the future");
        else if (date < new DateOnly(2019, 12, 1)) errors.Add("exposureDate", "must not be before 2019-12-01");
    }

    private static void Site(FieldErrors errors, ControlMeasure measure, string? site)
    {
        if (measure == ControlMeasure.CentralIsolation && string.IsNullOrWhiteSpace(site)) errors.Add("site", "is required for central isolation (the named site)");
        if (site is { Length: > 100 }) errors.Add("site", "must be at most 100 characters");
    }

    private static void Note(FieldErrors errors, string field, string? value, bool required)
    {
        if (required && string.IsNullOrWhiteSpace(value)) errors.Add(field, "is required");
        if (value is { Length: > 500 }) errors.Add(field, "must be at most 500 characters");
    }
}
