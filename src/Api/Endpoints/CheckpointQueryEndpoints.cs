using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Sanmenxia.Api.Csv;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Security;
using Sanmenxia.Checkpoints;
using Sanmenxia.HealthCode;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Security;

namespace Sanmenxia.Api.Endpoints;

/// <summary>A checkpoint, today's counters, and the fever threshold (°C) at which a temperature measured at the gate refuses a pass.</summary>
public sealed record CheckpointView(CheckpointDto Checkpoint, CheckpointDayCounts Today, decimal FeverThreshold);
public sealed record PassRow(Guid PassId, string CheckpointId, string ResidentKey, string MaskedName, string Direction, DateTimeOffset At,
    string Colour, string Outcome, string ReasonCode, string Method, string Staff, bool Duplicate, bool Offline, string Review, decimal? Temperature)
{
    /// <summary>Offline: recorded on the checkpoint's device without network and uploaded later; Review: None, ColourUnknown
    /// (an ID number typed offline) or ColourChanged (the colour was worse on the server at upload); Temperature: what staff
    /// measured at the gate (°C), if anything.</summary>
    public static PassRow From(PassRecord p) => new(p.PassId, p.CheckpointId, p.ResidentKey, p.MaskedName, p.Direction.ToString(), p.At,
        p.ColourSeen.ToString(), p.Outcome.ToString(), p.ReasonCode, p.Method.ToString(), p.Staff, p.DuplicateOf is not null, p.ClientId is not null,
        p.Review.ToString(), p.Temperature);
}
public sealed record PassPage(string CheckpointId, DateOnly Day, IReadOnlyList<PassRow> Items, int Total, int Skip, int Take);
public sealed record ResidentPasses(string ResidentKey, int Days, IReadOnlyList<ResidentPassRow> Items);
public sealed record ResidentPassRow(PassRow Pass, string? CheckpointName);

/// <summary>Staff read checkpoints, their counts and pass records (listed, exported as CSV, per day, per resident).</summary>
public static class CheckpointQueryEndpoints
{
    public static IEndpointRouteBuilder MapCheckpointQueryEndpoints(this IEndpointRouteBuilder app)
    {
        var staff = app.MapGroup("/api/checkpoints").WithTags("Checkpoints");
        staff.MapGet("/", List).RequireAuthorization(Policies.AnyStaff);
        staff.MapGet("/{id}", Get).RequireAuthorization(Policies.AnyStaff);
        staff.MapGet("/{id}/passes", ListPasses).RequireAuthorization(Policies.AnyStaff);
        staff.MapGet("/{id}/daily", Daily).RequireAuthorization(Policies.AnyStaff);

        app.MapGet("/api/residents/{residentKey}/passes", PassesOfResident).WithTags("Checkpoints").RequireAuthorization(Policies.Village);
        return app;
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

    private static async Task<IResult> Get(string id, ClaimsPrincipal user, IGrainFactory grains, DomainCalendar calendar)
    {
        var (info, refusal) = await ReadableAsync(id, user, grains);
        if (refusal is not null) return refusal;
        return Results.Ok(new CheckpointView(CheckpointDto.From(info!), await grains.GetGrain<ICheckpointGrain>(id).GetTodayAsync(),
            calendar.Policy.FeverThresholdCelsius));
    }

    // ------------------------------------------------------------------ queries

    private static readonly DateOnly FirstDay = new(2019, 12, 1);

    private static async Task<IResult> ListPasses(string id, ClaimsPrincipal user, IGrainFactory grains, IPassStore store, AuditTrail audit,
        DomainCalendar calendar, HttpContext http,
        string? day, string? format, int skip = 0, int take = 50)
    {
        var errors = new FieldErrors();
        var today = calendar.Today;
        var date = today;
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

        var from = calendar.EndOfDay(date.AddDays(-1));
        var to = calendar.EndOfDay(date);
        if (csv)
        {
            await audit.RecordAsync(user, "checkpoint.passes.export", null, info!.RegionCode.Value, $"checkpoint={id}; day={date:yyyy-MM-dd}");
            var rows = await store.ForCheckpointAsync(id, from, to, 0, 200_000, http.RequestAborted);
            var zone = HealthCodeRules.TimeZone(calendar.Policy);
            var export = new CsvExport(["pass_id", "checkpoint_id", "at", "direction", "resident_key", "masked_name", "colour", "outcome", "reason_code",
                "method", "staff", "duplicate", "offline", "review", "temperature"]);
            foreach (var r in rows)
                export.Row(r.PassId, r.CheckpointId, TimeZoneInfo.ConvertTime(r.At, zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture),
                    r.Direction, r.ResidentKey, r.MaskedName, r.ColourSeen, r.Outcome, r.ReasonCode, r.Method, r.Staff, r.DuplicateOf is not null,
                    r.ClientId is not null, r.Review, r.Temperature?.ToString("0.0", CultureInfo.InvariantCulture) ?? "");
            return export.ToFile($"{id}-{date:yyyy-MM-dd}.csv");
        }

        await audit.RecordAsync(user, "checkpoint.passes.list", null, info!.RegionCode.Value, $"checkpoint={id}; day={date:yyyy-MM-dd}; skip={skip}; take={take}");
        var total = await store.CountForCheckpointAsync(id, from, to, http.RequestAborted);
        var items = await store.ForCheckpointAsync(id, from, to, skip, take, http.RequestAborted);
        return Results.Ok(new PassPage(id, date, items.Select(PassRow.From).ToList(), total, skip, take));
    }

    private static async Task<IResult> Daily(string id, ClaimsPrincipal user, IGrainFactory grains, IPassStore store, DomainCalendar calendar, int days = 28)
    {
        if (days is < 1 or > 366) return Refusals.Field("days", "must be between 1 and 366");
        var (_, refusal) = await ReadableAsync(id, user, grains);
        if (refusal is not null) return refusal;
        var today = calendar.Today;
        return Results.Ok(await store.DailyAsync(id, today.AddDays(1 - days), today));
    }

    /// <summary>A resident's passes over the last days, for staff whose jurisdiction covers the resident's village (audited).</summary>
    private static async Task<IResult> PassesOfResident(string residentKey, ClaimsPrincipal user, IGrainFactory grains, IPassStore store, AuditTrail audit,
        IOptions<RetentionOptions> options, DomainCalendar calendar, BreakGlassAccess breakGlass, int days = 14)
    {
        if (days < 1 || days > Math.Max(1, options.Value.CheckpointPassDays)) return Refusals.Field("days", $"must be between 1 and {options.Value.CheckpointPassDays} (the retention period)");
        if (string.IsNullOrWhiteSpace(residentKey) || residentKey.Length > 64) return Refusals.NotFound("No such resident.");
        var profile = await grains.GetGrain<IResidentGrain>(residentKey).GetProfileAsync();
        if (profile is null) return Refusals.NotFound("No such resident.");
        var access = RegionCode.TryParse(profile.VillageCode, out var village)
            ? await breakGlass.ForResidentAsync(user, village, residentKey) : ResidentAccess.Refused;
        if (access == ResidentAccess.Refused) return Refusals.Forbidden("The resident's village is outside your jurisdiction.");
        await audit.RecordAsync(user, BreakGlassAccess.ActionFor(access, "resident.passes.read", Sanmenxia.Platform.Stores.AuditActions.BreakGlassPassesRead),
            residentKey, profile.VillageCode, $"days={days}");

        var today = calendar.Today;
        var rows = await store.ForResidentAsync(residentKey, calendar.EndOfDay(today.AddDays(-days)), calendar.EndOfDay(today), 2_000);
        var names = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var cp in rows.Select(r => r.CheckpointId).Distinct())
            names[cp] = (await grains.GetGrain<ICheckpointGrain>(cp).GetInfoAsync())?.Name;
        return Results.Ok(new ResidentPasses(residentKey, days, rows.Select(r => new ResidentPassRow(PassRow.From(r), names[r.CheckpointId])).ToList()));
    }
}
