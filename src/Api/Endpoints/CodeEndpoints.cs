using System.Security.Claims;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Residents;
using Sanmenxia.Api.Security;
using Sanmenxia.Checkpoints;

namespace Sanmenxia.Api.Endpoints;

public sealed record VerifyCodeRequest(string? Token);
public sealed record VerifyCodeResponse(string Status, string Message, string? ResidentKey, string? ColourInToken, string? CurrentColour,
    string? MaskedName, string? ReasonCode, DateTimeOffset? IssuedAt, DateTimeOffset? ExpiresAt);

public static class CodeEndpoints
{
    public static IEndpointRouteBuilder MapCodeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/codes/verify", Verify).WithTags("Health codes").RequireAuthorization(Policies.AnyStaff);
        return app;
    }

    /// <summary>
    /// Checks a scanned QR by the same admission rule as a checkpoint pass (<see cref="PassAdmission"/>). An admitted token is
    /// answered with the resident's colour now (a token shows the colour at issue; the checkpoint must see the current one).
    /// Forged, altered, expired, malformed and replayed (issued on an earlier day) tokens get distinct refusals.
    /// </summary>
    private static async Task<IResult> Verify(VerifyCodeRequest body, HealthCodeQr qr, IGrainFactory grains, ClaimsPrincipal user, AuditTrail audit)
    {
        if (string.IsNullOrWhiteSpace(body.Token) || body.Token.Length > 1024) return Refusals.Field("token", "is required (the scanned QR text)");
        // The API checks the QR's signatures (it holds the key); the grain applies the admission rule and reads the person.
        var check = await qr.VerifyAsync(body.Token);
        var verification = await grains.GetGrain<IPassAdmissionGrain>(0).VerifyAsync(check);
        if (!verification.Admission.Accepted)
            return Refusals.Unprocessable("Health code not accepted", verification.Admission.Message, verification.Admission.Code);
        if (verification.Person is not { } person) return Refusals.NotFound("The QR names no registered resident.");

        await audit.RecordAsync(user, "code.verify", person.ResidentKey, person.VillageCode);
        return Results.Ok(new VerifyCodeResponse("Valid", check.Message, person.ResidentKey, check.Payload!.Colour.ToString(),
            person.Colour.ToString(), person.MaskedName, person.ReasonCode, check.Payload.IssuedAt, check.Payload.ExpiresAt));
    }
}
