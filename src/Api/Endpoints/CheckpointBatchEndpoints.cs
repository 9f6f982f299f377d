using System.Security.Claims;
using Microsoft.Extensions.Options;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Residents;
using Sanmenxia.Api.Security;
using Sanmenxia.Checkpoints;
using Sanmenxia.HealthCode;
using Sanmenxia.Identity;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Time;
using Sanmenxia.Security;

namespace Sanmenxia.Api.Endpoints;

/// <summary>One pass the checkpoint page recorded offline: its own id (crypto.randomUUID()), the QR or the typed ID number, when.</summary>
/// <summary>Temperature: the body temperature (°C) measured at the gate, if any (issue 17).</summary>
public sealed record OfflinePassItem(Guid? ClientId, string? Direction, string? QrToken, string? IdNumber, string? Method, DateTimeOffset? ScannedAt,
    decimal? Temperature = null);
public sealed record OfflinePassBatch(IReadOnlyList<OfflinePassItem?>? Passes);
public sealed record OfflinePassItemResult(Guid ClientId, string Status, string? Code, string? Message, string Review, IReadOnlyList<string>? Errors);
public sealed record OfflinePassBatchResponse(string CheckpointId, int Recorded, int AlreadyRecorded, int Refused, int Invalid,
    IReadOnlyList<OfflinePassItemResult> Results, CheckpointDayCounts? Today);

/// <summary>The checkpoint page's offline queue, uploaded in batches when the network is back (docs/security.md, offline checkpoints).</summary>
public static class CheckpointBatchEndpoints
{
    public const int MaxBatch = 250;

    public static IEndpointRouteBuilder MapCheckpointBatchEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/checkpoints/{id}/passes/batch", UploadBatch).WithTags("Checkpoints").RequireAuthorization(Policies.Checkpoint);
        return app;
    }

    /// <summary>
    /// Uploads up to 250 passes recorded offline. Each is accepted exactly once by its <c>clientId</c>: a pass uploaded again
    /// (a retry after a lost answer, a reload) answers <c>alreadyRecorded</c> and is not counted twice. A QR is checked as of
    /// <c>scannedAt</c> (signatures, lifetime, the day); an ID number typed offline is recorded "checked by ID, colour
    /// unknown" and flagged for review. Every result is final (the page drops the pass from its queue): recorded,
    /// alreadyRecorded, refused (the QR is not accepted, with the same codes as a live scan) or invalid (with errors).
    /// The checkpoint recounts the days the passes fall on, and the roll-up and dashboards catch up.
    /// </summary>
    private static async Task<IResult> UploadBatch(string id, OfflinePassBatch body, ClaimsPrincipal user, IGrainFactory grains, HealthCodeQr qr,
        PseudonymousKeys keys, DomainCalendar calendar, IOptions<RetentionOptions> options)
    {
        var caller = Caller.From(user);
        if (caller.Role != Roles.Admin && caller.CheckpointId != id)
            return Refusals.Forbidden(caller.CheckpointId is null
                ? "Your account is not assigned to a checkpoint."
                : $"You are assigned to checkpoint {caller.CheckpointId}, not {id}.");
        if (body.Passes is not { Count: > 0 and <= MaxBatch } items) return Refusals.Field("passes", $"must hold 1 to {MaxBatch} passes");

        var now = calendar.Now;
        var earliest = calendar.EndOfDay(calendar.Today.AddDays(-options.Value.CheckpointPassDays));
        var invalid = new List<OfflinePassItemResult>();
        var requests = new List<OfflinePassRequest>();
        var seen = new HashSet<Guid>();
        foreach (var item in items)
        {
            var errors = new List<string>();
            if (item?.ClientId is not { } clientId || clientId == Guid.Empty)
            {
                invalid.Add(new OfflinePassItemResult(Guid.Empty, "invalid", "pass.invalid", null, nameof(PassReview.None), ["clientId is required"]));
                continue;
            }
            if (!seen.Add(clientId)) continue; // the same pass twice in one upload: once
            var (request, reasons) = await ParseAsync(item, clientId, now, earliest, qr, keys, calendar);
            if (request is null) invalid.Add(new OfflinePassItemResult(clientId, "invalid", "pass.invalid", null, nameof(PassReview.None), reasons));
            else requests.Add(request);
        }

        var result = requests.Count == 0 ? null
            : await grains.GetGrain<IPassAdmissionGrain>(0).RegisterOfflineAsync(id, caller.Subject, requests);
        // With nothing valid to record, the checkpoint is looked up here (the grain answers for it otherwise).
        var exists = result?.CheckpointExists
            ?? (CheckpointRules.IsValidId(id) && await grains.GetGrain<ICheckpointGrain>(id).GetInfoAsync() is not null);
        if (!exists) return Refusals.NotFound($"Unknown checkpoint {id}.");
        var results = (result?.Passes ?? []).Select(p => new OfflinePassItemResult(p.ClientId, p.Status switch
        {
            OfflinePassStatus.Recorded => "recorded",
            OfflinePassStatus.AlreadyRecorded => "alreadyRecorded",
            _ => "refused",
        }, p.Code, p.Message, p.Review.ToString(), null)).Concat(invalid).ToList();
        var today = result?.Today ?? await grains.GetGrain<ICheckpointGrain>(id).GetTodayAsync();
        return Results.Ok(new OfflinePassBatchResponse(id, results.Count(r => r.Status == "recorded"), results.Count(r => r.Status == "alreadyRecorded"),
            results.Count(r => r.Status == "refused"), invalid.Count, results, today));
    }

    private static async Task<(OfflinePassRequest? Request, List<string> Errors)> ParseAsync(OfflinePassItem item, Guid clientId, DateTimeOffset now,
        DateTimeOffset earliest, HealthCodeQr qr, PseudonymousKeys keys, DomainCalendar calendar)
    {
        var errors = new List<string>();
        PassDirection direction = default;
        if (item.Direction is null || !Enum.TryParse(item.Direction, ignoreCase: true, out direction) || !Enum.IsDefined(direction))
            errors.Add("direction must be In or Out");
        if (item.ScannedAt is not { } at) errors.Add("scannedAt is required");
        else if (at > now + TimeSpan.FromMinutes(5) || at < earliest) errors.Add("scannedAt must lie within the retention period and not in the future");
        var hasToken = !string.IsNullOrWhiteSpace(item.QrToken);
        var hasId = !string.IsNullOrWhiteSpace(item.IdNumber);
        if (hasToken == hasId) errors.Add("give exactly one of qrToken or idNumber");
        if (hasToken && item.QrToken!.Length > 1024) errors.Add("qrToken is too long for a health-code QR");
        var method = hasToken ? PassMethod.Qr : PassMethod.IdNumber;
        if (item.Method is not null)
        {
            if (!Enum.TryParse(item.Method, ignoreCase: true, out PassMethod m) || !Enum.IsDefined(m)) errors.Add("method must be Qr, IdCard or IdNumber");
            else if ((m == PassMethod.Qr) != hasToken) errors.Add("method: Qr goes with qrToken; IdCard and IdNumber go with idNumber");
            else method = m;
        }
        if (item.Temperature is { } t && (t < HealthCodeRules.MinPlausibleTemperature || t > HealthCodeRules.MaxPlausibleTemperature))
            errors.Add($"temperature must be a body temperature between {HealthCodeRules.MinPlausibleTemperature} and {HealthCodeRules.MaxPlausibleTemperature} °C");
        string? residentKey = null;
        if (hasId && errors.Count == 0)
        {
            if (ResidentIdNumber.TryParse(item.IdNumber!.Trim(), calendar.Today, out var idNumber, out var idError)) residentKey = keys.ForIdNumber(idNumber.Value);
            else errors.Add("idNumber: " + idError);
        }
        if (errors.Count > 0) return (null, errors);
        var check = hasToken ? await qr.VerifyAsync(item.QrToken, item.ScannedAt) : null;
        var temperature = item.Temperature is { } measured ? Math.Round(measured, 1, MidpointRounding.AwayFromZero) : (decimal?)null;
        return (new OfflinePassRequest(clientId, check, residentKey, direction, method, item.ScannedAt!.Value, temperature), errors);
    }
}
