using System.Globalization;
using System.Security.Claims;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Residents;
using Sanmenxia.Api.Security;
using Sanmenxia.Checkpoints;
using Sanmenxia.Grains.Checkpoints;
using Sanmenxia.Grains.Time;
using Sanmenxia.HealthCode;
using Sanmenxia.Identity;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Security;

namespace Sanmenxia.Api.Endpoints;

public sealed record PolicyDto(string? Red, string? Yellow, string? None);
public sealed record CreateCheckpointRequest(string? Id, string? Name, string? RegionCode, PolicyDto? Policy, IReadOnlyList<string>? Staff);
public sealed record GenerateCheckpointsRequest(int? Target);
public sealed record AssignStaffRequest(string? Username);
public sealed record CheckpointDto(string Id, string Name, string RegionCode, string Level, PolicyDto Policy, IReadOnlyList<string> Staff)
{
    public static CheckpointDto From(CheckpointInfo i) => new(i.Id, i.Name, i.RegionCode.Value, i.Level.ToString(),
        new PolicyDto(i.Policy.Red.ToString(), i.Policy.Yellow.ToString(), i.Policy.NoCode.ToString()), i.Staff);
}
public sealed record CheckpointView(CheckpointDto Checkpoint, CheckpointDayCounts Today);
public sealed record CheckpointImportReport(int Rows, int Created, int Updated, int Unchanged, IReadOnlyList<ImportLineError> Errors);
public sealed record CheckpointGenerateReport(int Regions, int Checkpoints, int Created, int Unchanged, int Updated);
public sealed record RegisterPassRequest(string? Direction, string? QrToken, string? IdNumber, string? Method);
public sealed record PassResponse(Guid PassId, string CheckpointId, string CheckpointName, string Direction, DateTimeOffset At, string Colour,
    string MaskedName, string Outcome, string ReasonCode, string Reason, bool Duplicate, double? DwellSeconds, string? Dwell, string Method,
    CheckpointDayCounts Today);
public sealed record PassRow(Guid PassId, string CheckpointId, string ResidentKey, string MaskedName, string Direction, DateTimeOffset At,
    string Colour, string Outcome, string ReasonCode, string Method, string Staff, bool Duplicate)
{
    public static PassRow From(PassRecord p) => new(p.PassId, p.CheckpointId, p.ResidentKey, p.MaskedName, p.Direction.ToString(), p.At,
        p.ColourSeen.ToString(), p.Outcome.ToString(), p.ReasonCode, p.Method.ToString(), p.Staff, p.DuplicateOf is not null);
}
public sealed record PassPage(string CheckpointId, DateOnly Day, IReadOnlyList<PassRow> Items, int Total, int Skip, int Take);
public sealed record ResidentPasses(string ResidentKey, int Days, IReadOnlyList<ResidentPassRow> Items);
public sealed record ResidentPassRow(PassRow Pass, string? CheckpointName);

/// <summary>
/// Platform 5 (检测点管理): checkpoints, the registration of each entry and exit by QR code, ID card or ID number, the
/// counts, and staff queries over the pass records.
/// </summary>
public static class CheckpointEndpoints
{
    public static IEndpointRouteBuilder MapCheckpointEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/checkpoints").WithTags("Checkpoints").RequireAuthorization(Policies.Admin);
        // Idempotent, but a re-run would report what the first run created as unchanged (200 instead of 201, wrong counts).
        admin.MapPost("/", Create).WithoutRejectionRetry();
        admin.MapPost("/import", Import).Accepts<string>("text/csv").WithMetadata(new RequestSizeLimitAttribute(16 * 1024 * 1024)).WithoutRejectionRetry();
        admin.MapPost("/generate", Generate).WithoutRejectionRetry();
        admin.MapPost("/{id}/staff", AssignStaff);

        var staff = app.MapGroup("/api/checkpoints").WithTags("Checkpoints");
        staff.MapGet("/", List).RequireAuthorization(Policies.AnyStaff);
        staff.MapGet("/{id}", Get).RequireAuthorization(Policies.AnyStaff);
        staff.MapPost("/{id}/passes", RegisterPass).RequireAuthorization(Policies.Checkpoint);
        staff.MapGet("/{id}/passes", ListPasses).RequireAuthorization(Policies.AnyStaff);
        staff.MapGet("/{id}/daily", Daily).RequireAuthorization(Policies.AnyStaff);

        app.MapGet("/api/residents/{residentKey}/passes", PassesOfResident).WithTags("Checkpoints").RequireAuthorization(Policies.Village);
        return app;
    }

    // ------------------------------------------------------------------ administration

    private static async Task<IResult> Create(CreateCheckpointRequest body, IGrainFactory grains, RegionCatalog regions)
    {
        var errors = new FieldErrors();
        var id = body.Id?.Trim().ToLowerInvariant();
        if (!CheckpointRules.IsValidId(id)) errors.Add("id", "must look like cp-411202001-0001 (lower-case letters, digits and '-', starting with cp-)");
        errors.Require("name", body.Name, 64);
        var region = await CheckRegionAsync(body.RegionCode, regions, errors, "regionCode");
        var policy = ParsePolicy(body.Policy, errors);
        if (body.Staff?.Any(s => s is null) == true) errors.Add("staff", "must list usernames (no null entries)");
        var staffNames = (body.Staff ?? []).OfType<string>().Select(s => s.Trim().ToLowerInvariant()).Where(s => s.Length > 0).Distinct().ToList();
        if (staffNames.Any(s => s.Length > 64)) errors.Add("staff", "usernames are at most 64 characters");
        if (errors.Any) return Refusals.Fields(errors);

        var info = new CheckpointInfo(id!, body.Name!.Trim(), region!.Value, region.Value.Level, policy, staffNames);
        var outcome = (await DefineAllAsync(grains, [info]))[0];
        return outcome == CheckpointDefineOutcome.Created
            ? Results.Created($"/api/checkpoints/{id}", CheckpointDto.From(info))
            : Results.Ok(CheckpointDto.From(info));
    }

    /// <summary>Columns: id,name,region_code[,policy] with policy like "red=refuse;yellow=check". Bad rows are reported by line; good rows are kept.</summary>
    private static async Task<IResult> Import(HttpRequest request, IGrainFactory grains, RegionCatalog regions)
    {
        var errors = new List<ImportLineError>();
        var rows = new List<CheckpointInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var total = 0;
        using (var reader = new StreamReader(request.Body))
        using (var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { MissingFieldFound = null, BadDataFound = null }))
        {
            if (!await csv.ReadAsync() || !csv.ReadHeader())
                return Refusals.Field("file", "is empty: expected a header id,name,region_code[,policy]");
            var missing = new[] { "id", "name", "region_code" }.Where(h => !csv.HeaderRecord!.Contains(h)).ToList();
            if (missing.Count > 0) return Refusals.Field("file", $"header lacks column(s): {string.Join(", ", missing)}");
            var hasPolicy = csv.HeaderRecord!.Contains("policy");
            while (await csv.ReadAsync())
            {
                total++;
                var line = csv.Parser.RawRow;
                var id = csv.GetField("id")?.Trim().ToLowerInvariant();
                var name = csv.GetField("name")?.Trim() ?? "";
                if (!CheckpointRules.IsValidId(id)) { errors.Add(new(line, "id", "must look like cp-411202001-0001")); continue; }
                if (!seen.Add(id)) { errors.Add(new(line, "id", "appears twice in this file")); continue; }
                if (name.Length is 0 or > 64) { errors.Add(new(line, "name", "is required (at most 64 characters)")); continue; }
                var regionText = csv.GetField("region_code")?.Trim();
                if (!RegionCode.TryParse(regionText, out var region, out var regionError)) { errors.Add(new(line, "region_code", regionError)); continue; }
                if (await regions.FindAsync(region.Value) is null) { errors.Add(new(line, "region_code", $"unknown region {region.Value}")); continue; }
                if (!CheckpointPolicy.TryParse(hasPolicy ? csv.GetField("policy") : null, out var policy, out var policyError))
                { errors.Add(new(line, "policy", policyError!)); continue; }
                rows.Add(new CheckpointInfo(id, name, region, region.Level, policy, []));
            }
        }
        var outcomes = await DefineAllAsync(grains, rows);
        return Results.Ok(new CheckpointImportReport(total, outcomes.Count(o => o == CheckpointDefineOutcome.Created),
            outcomes.Count(o => o == CheckpointDefineOutcome.Updated), outcomes.Count(o => o == CheckpointDefineOutcome.Unchanged),
            errors.OrderBy(e => e.Line).ToList()));
    }

    /// <summary>Checkpoints over the loaded region tree (deterministic: 4,136 for the 2,700-village synthetic tree).</summary>
    private static async Task<IResult> Generate(GenerateCheckpointsRequest? body, IGrainFactory grains, RegionCatalog regions)
    {
        if (body?.Target is < 1 or > 50_000) return Refusals.Field("target", "must be between 1 and 50000");
        await regions.RefreshAsync(force: true);
        var tree = await grains.GetGrain<Sanmenxia.Villages.IRegionDirectoryGrain>(0).GetAllAsync();
        if (tree.Count == 0) return Refusals.Unprocessable("No regions", "Load or generate the region tree first (POST /api/admin/regions/generate).");
        var plan = CheckpointPlan.Generate(tree, body?.Target);
        var infos = plan.Select(p => new CheckpointInfo(p.Id, p.Name, p.Region, p.Region.Level, CheckpointPolicy.Default, [])).ToList();
        var outcomes = await DefineAllAsync(grains, infos);
        return Results.Ok(new CheckpointGenerateReport(tree.Count, infos.Count, outcomes.Count(o => o == CheckpointDefineOutcome.Created),
            outcomes.Count(o => o == CheckpointDefineOutcome.Unchanged), outcomes.Count(o => o == CheckpointDefineOutcome.Updated)));
    }

    private static async Task<IResult> AssignStaff(string id, AssignStaffRequest body, IGrainFactory grains)
    {
        var username = body.Username?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(username) || username.Length > 64) return Refusals.Field("username", "is required (at most 64 characters)");
        if (await grains.GetGrain<Sanmenxia.Staff.IStaffAccountGrain>(username).GetAsync() is null) return Refusals.NotFound($"No staff account '{username}'.");
        var info = CheckpointRules.IsValidId(id) ? await grains.GetGrain<ICheckpointGrain>(id).AddStaffAsync(username) : null;
        return info is null ? Refusals.NotFound($"Unknown checkpoint {id}.") : Results.Ok(CheckpointDto.From(info));
    }

    /// <summary>The directory first (so a region finds the checkpoint after any restart), then each grain.</summary>
    private static async Task<IReadOnlyList<CheckpointDefineOutcome>> DefineAllAsync(IGrainFactory grains, IReadOnlyList<CheckpointInfo> infos)
    {
        var directory = grains.GetGrain<ICheckpointDirectoryGrain>(0);
        foreach (var chunk in infos.Chunk(5_000))
            await directory.AddAsync(chunk.Select(i => new CheckpointEntry(i.Id, i.Name, i.RegionCode.Value, CheckpointRules.ReportTarget(i.RegionCode).Value)).ToList());
        var outcomes = new CheckpointDefineOutcome[infos.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, infos.Count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            outcomes[i] = await grains.GetGrain<ICheckpointGrain>(infos[i].Id).DefineAsync(infos[i]));
        return outcomes;
    }

    private static async Task<RegionCode?> CheckRegionAsync(string? text, RegionCatalog regions, FieldErrors errors, string field)
    {
        if (!RegionCode.TryParse(text, out var region, out var error)) { errors.Add(field, error); return null; }
        if (await regions.FindAsync(region.Value) is null) { errors.Add(field, $"unknown region {region.Value}"); return null; }
        return region;
    }

    private static CheckpointPolicy ParsePolicy(PolicyDto? dto, FieldErrors errors)
    {
        if (dto is null) return CheckpointPolicy.Default;
        ColourAction Parse(string? text, ColourAction fallback, string field)
        {
            if (text is null) return fallback;
            if (Enum.TryParse<ColourAction>(text, ignoreCase: true, out var a) && Enum.IsDefined(a)) return a;
            errors.Add(field, "must be one of: Allow, Check, Refuse");
            return fallback;
        }
        return new CheckpointPolicy
        {
            Red = Parse(dto.Red, ColourAction.Refuse, "policy.red"),
            Yellow = Parse(dto.Yellow, ColourAction.Check, "policy.yellow"),
            NoCode = Parse(dto.None, ColourAction.Check, "policy.none"),
        };
    }

    // ------------------------------------------------------------------ access

    /// <summary>Who may read a checkpoint: its own staff, administrators, and commanders or village staff whose jurisdiction covers it.</summary>
    private static bool MayRead(Caller caller, CheckpointInfo info) =>
        caller.Role == Roles.Admin
        || (caller.Role == Roles.CheckpointStaff && caller.CheckpointId == info.Id)
        || (caller.Role is Roles.Commander or Roles.VillageStaff && caller.Covers(info.RegionCode));

    private static async Task<(CheckpointInfo? Info, IResult? Refusal)> ReadableAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var info = CheckpointRules.IsValidId(id) ? await grains.GetGrain<ICheckpointGrain>(id).GetInfoAsync() : null;
        if (info is null) return (null, Refusals.NotFound($"Unknown checkpoint {id}."));
        return MayRead(Caller.From(user), info) ? (info, null) : (null, Refusals.Forbidden($"Checkpoint {id} is not yours to see."));
    }

    private static async Task<IResult> List(ClaimsPrincipal user, IGrainFactory grains, string? region, int skip = 0, int take = 100)
    {
        var caller = Caller.From(user);
        if (skip < 0 || take is < 1 or > 1000) return Refusals.Field("take", "take must be 1..1000 and skip ≥ 0");
        region ??= caller.Jurisdiction?.Value ?? SanmenxiaRegions.CityCode.Value;
        if (!RegionCode.TryParse(region, out var code, out var error)) return Refusals.Field("region", error);
        if (caller.Role != Roles.Admin && !caller.Covers(code)) return Refusals.Forbidden($"Region {code.Value} is outside your jurisdiction.");
        var directory = grains.GetGrain<ICheckpointDirectoryGrain>(0);
        return Results.Ok(new { region = code.Value, total = await directory.CountAsync(), items = await directory.ListAsync(code.Value, skip, take) });
    }

    private static async Task<IResult> Get(string id, ClaimsPrincipal user, IGrainFactory grains)
    {
        var (info, refusal) = await ReadableAsync(id, user, grains);
        if (refusal is not null) return refusal;
        return Results.Ok(new CheckpointView(CheckpointDto.From(info!), await grains.GetGrain<ICheckpointGrain>(id).GetTodayAsync()));
    }

    // ------------------------------------------------------------------ registration

    /// <summary>
    /// Registers one entry or exit. The person is identified by the health-code QR token (forged, altered, expired,
    /// malformed and replayed tokens are refused distinctly) or by the ID number (typed or read from the ID card). The
    /// answer tells the colour now, the masked name, the decision per the checkpoint's policy and why, and the dwell time.
    /// </summary>
    private static async Task<IResult> RegisterPass(string id, RegisterPassRequest body, ClaimsPrincipal user, IGrainFactory grains,
        HealthCodeQr qr, PseudonymousKeys keys, HealthCodePolicy policy, [FromKeyedServices(DomainClock.Key)] TimeProvider clock)
    {
        var caller = Caller.From(user);
        if (caller.Role != Roles.Admin && caller.CheckpointId != id)
            return Refusals.Forbidden(caller.CheckpointId is null
                ? "Your account is not assigned to a checkpoint."
                : $"You are assigned to checkpoint {caller.CheckpointId}, not {id}.");

        var errors = new FieldErrors();
        PassDirection direction = default;
        if (body.Direction is null || !Enum.TryParse(body.Direction, ignoreCase: true, out direction) || !Enum.IsDefined(direction))
            errors.Add("direction", "must be In or Out");
        var hasToken = !string.IsNullOrWhiteSpace(body.QrToken);
        var hasId = !string.IsNullOrWhiteSpace(body.IdNumber);
        if (hasToken == hasId) errors.Add(hasToken ? "qrToken" : "idNumber", "give exactly one of qrToken (the scanned QR) or idNumber");
        if (hasToken && body.QrToken!.Length > 1024) errors.Add("qrToken", "is too long for a health-code QR");
        var method = hasToken ? PassMethod.Qr : PassMethod.IdNumber;
        if (body.Method is not null)
        {
            if (!Enum.TryParse(body.Method, ignoreCase: true, out PassMethod m) || !Enum.IsDefined(m)) errors.Add("method", "must be Qr, IdCard or IdNumber");
            else if ((m == PassMethod.Qr) != hasToken) errors.Add("method", "Qr goes with qrToken; IdCard and IdNumber go with idNumber");
            else method = m;
        }
        var now = clock.GetUtcNow();
        var today = HealthCodeRules.Today(policy, now);
        string? residentKey = null;
        if (hasId && !errors.Any)
        {
            if (ResidentIdNumber.TryParse(body.IdNumber!.Trim(), today, out var idNumber, out var idError)) residentKey = keys.ForIdNumber(idNumber.Value);
            else errors.Add("idNumber", idError);
        }
        if (errors.Any) return Refusals.Fields(errors);

        var checkpoint = grains.GetGrain<ICheckpointGrain>(id);
        var info = CheckpointRules.IsValidId(id) ? await checkpoint.GetInfoAsync() : null;
        if (info is null) return Refusals.NotFound($"Unknown checkpoint {id}.");

        if (hasToken)
        {
            var check = qr.Verify(body.QrToken);
            // A genuine token from an earlier day is a replayed screenshot, whether or not its lifetime has run out.
            if (check.Payload is { } issued && check.Status is CodeTokenStatus.Valid or CodeTokenStatus.Expired
                && HealthCodeRules.Today(policy, issued.IssuedAt) < today)
                return Refusals.Unprocessable("Health code not accepted",
                    $"The QR was issued on {HealthCodeRules.Today(policy, issued.IssuedAt):yyyy-MM-dd}, not today: a replayed screenshot. Ask for the live code.",
                    "token.replayed");
            if (check.Status != CodeTokenStatus.Valid)
                return Refusals.Unprocessable("Health code not accepted", check.Message, "token." + check.Status.ToString().ToLowerInvariant());
            residentKey = check.Payload!.ResidentKey;
        }

        var resident = grains.GetGrain<IResidentGrain>(residentKey!);
        var profile = await resident.GetProfileAsync();
        if (profile is null)
            return Refusals.Unprocessable("Unknown resident", hasToken
                ? "The QR names no registered resident."
                : "No registered resident has this ID number: the person must register (线上三门峡) or be registered by the village.", "resident.unknown");
        var code = await resident.GetCodeAsync();
        var result = await checkpoint.RegisterPassAsync(new PassAttempt(residentKey!, CodeEndpoints.MaskName(profile.Name), direction,
            code.Explanation.Colour, method, caller.Subject));
        var p = result.Pass;
        return Results.Ok(new PassResponse(p.PassId, id, info.Name, p.Direction.ToString(), p.At, p.ColourSeen.ToString(), p.MaskedName,
            p.Outcome.ToString(), p.ReasonCode, CheckpointRules.Explain(p.ReasonCode), result.Duplicate, result.Dwell?.TotalSeconds,
            result.Dwell is { } d ? FormatDwell(d) : null, p.Method.ToString(), result.Today));
    }

    private static string FormatDwell(TimeSpan d) => d.TotalHours >= 1
        ? $"{(int)d.TotalHours}h {d.Minutes:D2}min"
        : d.TotalMinutes >= 1 ? $"{(int)d.TotalMinutes}min {d.Seconds:D2}s" : $"{d.Seconds}s";

    // ------------------------------------------------------------------ queries

    private static async Task<IResult> ListPasses(string id, ClaimsPrincipal user, IGrainFactory grains, IPassStore store, AuditTrail audit,
        HealthCodePolicy policy, [FromKeyedServices(DomainClock.Key)] TimeProvider clock, HttpContext http,
        string? day, string? format, int skip = 0, int take = 50)
    {
        var errors = new FieldErrors();
        var date = HealthCodeRules.Today(policy, clock.GetUtcNow());
        var today = date;
        if (day is not null && !DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
            errors.Add("day", "must be a date yyyy-MM-dd");
        // Passes exist from the epidemic's start to today; outside that the day's bounds would not even be representable.
        else if (date < FirstDay || date > today) errors.Add("day", $"must be between {FirstDay:yyyy-MM-dd} and today ({today:yyyy-MM-dd})");
        if (skip < 0) errors.Add("skip", "must not be negative");
        if (take is < 1 or > 500) errors.Add("take", "must be between 1 and 500");
        var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
        if (format is not null && !csv) errors.Add("format", "must be csv (or absent for JSON)");
        if (errors.Any) return Refusals.Fields(errors);
        var (info, refusal) = await ReadableAsync(id, user, grains);
        if (refusal is not null) return refusal;

        var from = HealthCodeRules.EndOfDay(policy, date.AddDays(-1));
        var to = HealthCodeRules.EndOfDay(policy, date);
        if (csv)
        {
            await audit.RecordAsync(user, "checkpoint.passes.export", null, info!.RegionCode.Value, $"checkpoint={id}; day={date:yyyy-MM-dd}");
            var rows = await store.ForCheckpointAsync(id, from, to, 0, 200_000, http.RequestAborted);
            var zone = HealthCodeRules.TimeZone(policy);
            var text = new StringBuilder();
            await using (var writer = new StringWriter(text))
            await using (var csvWriter = new CsvWriter(writer, CultureInfo.InvariantCulture))
            {
                foreach (var h in new[] { "pass_id", "checkpoint_id", "at", "direction", "resident_key", "masked_name", "colour", "outcome", "reason_code", "method", "staff", "duplicate" })
                    csvWriter.WriteField(h);
                await csvWriter.NextRecordAsync();
                foreach (var r in rows)
                {
                    csvWriter.WriteField(r.PassId);
                    csvWriter.WriteField(r.CheckpointId);
                    csvWriter.WriteField(TimeZoneInfo.ConvertTime(r.At, zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
                    csvWriter.WriteField(r.Direction);
                    csvWriter.WriteField(r.ResidentKey);
                    csvWriter.WriteField(r.MaskedName);
                    csvWriter.WriteField(r.ColourSeen);
                    csvWriter.WriteField(r.Outcome);
                    csvWriter.WriteField(r.ReasonCode);
                    csvWriter.WriteField(r.Method);
                    csvWriter.WriteField(r.Staff);
                    csvWriter.WriteField(r.DuplicateOf is not null);
                    await csvWriter.NextRecordAsync();
                }
            }
            return Results.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text.ToString())).ToArray(), "text/csv; charset=utf-8",
                $"{id}-{date:yyyy-MM-dd}.csv");
        }

        await audit.RecordAsync(user, "checkpoint.passes.list", null, info!.RegionCode.Value, $"checkpoint={id}; day={date:yyyy-MM-dd}; skip={skip}; take={take}");
        var total = await store.CountForCheckpointAsync(id, from, to, http.RequestAborted);
        var items = await store.ForCheckpointAsync(id, from, to, skip, take, http.RequestAborted);
        return Results.Ok(new PassPage(id, date, items.Select(PassRow.From).ToList(), total, skip, take));
    }

    private static readonly DateOnly FirstDay = new(2019, 12, 1);

    private static async Task<IResult> Daily(string id, ClaimsPrincipal user, IGrainFactory grains, IPassStore store, HealthCodePolicy policy,
        [FromKeyedServices(DomainClock.Key)] TimeProvider clock, int days = 28)
    {
        if (days is < 1 or > 366) return Refusals.Field("days", "must be between 1 and 366");
        var (_, refusal) = await ReadableAsync(id, user, grains);
        if (refusal is not null) return refusal;
        var today = HealthCodeRules.Today(policy, clock.GetUtcNow());
        return Results.Ok(await store.DailyAsync(id, today.AddDays(1 - days), today));
    }

    /// <summary>A resident's passes over the last days, for staff whose jurisdiction covers the resident's village (audited).</summary>
    private static async Task<IResult> PassesOfResident(string residentKey, ClaimsPrincipal user, IGrainFactory grains, IPassStore store, AuditTrail audit,
        IOptions<CheckpointOptions> options, HealthCodePolicy policy, [FromKeyedServices(DomainClock.Key)] TimeProvider clock, int days = 14)
    {
        if (days < 1 || days > Math.Max(1, options.Value.RetentionDays)) return Refusals.Field("days", $"must be between 1 and {options.Value.RetentionDays} (the retention period)");
        if (residentKey.Length > 64) return Refusals.NotFound("No such resident.");
        var profile = await grains.GetGrain<IResidentGrain>(residentKey).GetProfileAsync();
        if (profile is null) return Refusals.NotFound("No such resident.");
        if (!RegionCode.TryParse(profile.VillageCode, out var village) || !Caller.From(user).Covers(village))
            return Refusals.Forbidden("The resident's village is outside your jurisdiction.");
        await audit.RecordAsync(user, "resident.passes.read", residentKey, profile.VillageCode, $"days={days}");

        var today = HealthCodeRules.Today(policy, clock.GetUtcNow());
        var rows = await store.ForResidentAsync(residentKey, HealthCodeRules.EndOfDay(policy, today.AddDays(-days)), HealthCodeRules.EndOfDay(policy, today), 2_000);
        var names = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var cp in rows.Select(r => r.CheckpointId).Distinct())
            names[cp] = (await grains.GetGrain<ICheckpointGrain>(cp).GetInfoAsync())?.Name;
        return Results.Ok(new ResidentPasses(residentKey, days, rows.Select(r => new ResidentPassRow(PassRow.From(r), names[r.CheckpointId])).ToList()));
    }
}
