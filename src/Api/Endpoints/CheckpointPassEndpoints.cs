using System.Security.Claims;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Residents;
using Sanmenxia.Api.Security;
using Sanmenxia.Checkpoints;
using Sanmenxia.HealthCode;
using Sanmenxia.Identity;
using Sanmenxia.Platform.Time;
using Sanmenxia.Security;

namespace Sanmenxia.Api.Endpoints;

/// <summary>Temperature: the body temperature (°C) staff measured at the gate, optional; at or above the fever threshold the pass is refused.</summary>
public sealed record RegisterPassRequest(string? Direction, string? QrToken, string? IdNumber, string? Method, decimal? Temperature = null);
public sealed record PassResponse(Guid PassId, string CheckpointId, string CheckpointName, string Direction, DateTimeOffset At, string Colour,
    string MaskedName, string Outcome, string ReasonCode, string Reason, bool Duplicate, double? DwellSeconds, string? Dwell, string Method,
    CheckpointDayCounts Today, decimal? Temperature);

/// <summary>Checkpoint staff register each entry and exit, by the health-code QR, the ID card or the typed ID number.</summary>
public static class CheckpointPassEndpoints
{
    public static IEndpointRouteBuilder MapCheckpointPassEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/checkpoints/{id}/passes", RegisterPass).WithTags("Checkpoints").RequireAuthorization(Policies.Checkpoint);
        return app;
    }

    /// <summary>
    /// Registers one entry or exit. The person is identified by the health-code QR token (forged, altered, expired,
    /// malformed and replayed tokens are refused distinctly: <see cref="PassAdmission"/>) or by the ID number (typed or read
    /// from the ID card). The answer tells the colour now, the masked name, the decision per the checkpoint's policy and why,
    /// and the dwell time. The workflow after validation is the pass-admission grain's.
    /// </summary>
    private static async Task<IResult> RegisterPass(string id, RegisterPassRequest body, ClaimsPrincipal user, IGrainFactory grains,
        HealthCodeQr qr, PseudonymousKeys keys, DomainCalendar calendar)
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
        if (body.Temperature is { } t && (t < HealthCodeRules.MinPlausibleTemperature || t > HealthCodeRules.MaxPlausibleTemperature))
            errors.Add("temperature", $"must be a body temperature between {HealthCodeRules.MinPlausibleTemperature} and {HealthCodeRules.MaxPlausibleTemperature} °C");
        var temperature = body.Temperature is { } measured ? Math.Round(measured, 1, MidpointRounding.AwayFromZero) : (decimal?)null;
        string? residentKey = null;
        if (hasId && !errors.Any)
        {
            if (ResidentIdNumber.TryParse(body.IdNumber!.Trim(), calendar.Today, out var idNumber, out var idError)) residentKey = keys.ForIdNumber(idNumber.Value);
            else errors.Add("idNumber", idError);
        }
        if (errors.Any) return Refusals.Fields(errors);

        // The API checks the QR's signatures (it holds the key); the grain applies the admission rule and does the rest.
        var admitted = await grains.GetGrain<IPassAdmissionGrain>(0).RegisterPassAsync(new PassRequest(id, hasToken ? await qr.VerifyAsync(body.QrToken) : null,
            residentKey, direction, method, caller.Subject, temperature));
        switch (admitted.Status)
        {
            case PassAdmissionStatus.UnknownCheckpoint:
                return Refusals.NotFound($"Unknown checkpoint {id}.");
            case PassAdmissionStatus.TokenRefused:
                return Refusals.Unprocessable("Health code not accepted", admitted.Admission!.Message, admitted.Admission.Code);
            case PassAdmissionStatus.UnknownResident:
                return Refusals.Unprocessable("Unknown resident", hasToken
                    ? "The QR names no registered resident."
                    : "No registered resident has this ID number: the person must register (线上三门峡) or be registered by the village.", "resident.unknown");
        }
        var result = admitted.Pass!;
        var p = result.Pass;
        return Results.Ok(new PassResponse(p.PassId, id, admitted.CheckpointName!, p.Direction.ToString(), p.At, p.ColourSeen.ToString(), p.MaskedName,
            p.Outcome.ToString(), p.ReasonCode, CheckpointRules.Explain(p.ReasonCode), result.Duplicate, result.Dwell?.TotalSeconds,
            result.Dwell is { } d ? FormatDwell(d) : null, p.Method.ToString(), result.Today, p.Temperature));
    }

    private static string FormatDwell(TimeSpan d) => d.TotalHours >= 1
        ? $"{(int)d.TotalHours}h {d.Minutes:D2}min"
        : d.TotalMinutes >= 1 ? $"{(int)d.TotalMinutes}min {d.Seconds:D2}s" : $"{d.Seconds}s";
}
