using System.Security.Claims;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Residents;
using Sanmenxia.Api.Security;
using Sanmenxia.HealthCode;
using Sanmenxia.Residents;

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
    /// Checks a scanned QR. A valid token is answered with the resident's colour now (a token shows the colour
    /// at issue; the checkpoint must see the current one). Forged, altered and expired tokens get distinct refusals.
    /// </summary>
    private static async Task<IResult> Verify(VerifyCodeRequest body, HealthCodeQr qr, IGrainFactory grains, ClaimsPrincipal user, AuditTrail audit)
    {
        if (string.IsNullOrWhiteSpace(body.Token) || body.Token.Length > 1024) return Refusals.Field("token", "is required (the scanned QR text)");
        var check = qr.Verify(body.Token);
        if (check.Status != CodeTokenStatus.Valid)
            return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Health code not accepted", detail: check.Message,
                extensions: new Dictionary<string, object?> { ["code"] = "token." + check.Status.ToString().ToLowerInvariant() });

        var residentKey = check.Payload!.ResidentKey;
        var resident = grains.GetGrain<IResidentGrain>(residentKey);
        var profile = await resident.GetProfileAsync();
        if (profile is null) return Refusals.NotFound("The QR names no registered resident.");
        await audit.RecordAsync(user, "code.verify", residentKey, profile.VillageCode);
        var code = await resident.GetCodeAsync();
        return Results.Ok(new VerifyCodeResponse("Valid", check.Message, residentKey, check.Payload.Colour.ToString(),
            code.Explanation.Colour.ToString(), MaskName(profile.Name), code.Explanation.ReasonCode, check.Payload.IssuedAt, check.Payload.ExpiresAt));
    }

    /// <summary>张三丰 → 张*丰, 李四 → 李*: enough for staff to match a face, not to identify a stranger.</summary>
    public static string MaskName(string name) => name.Length switch
    {
        <= 1 => name,
        2 => name[0] + "*",
        _ => name[0] + new string('*', name.Length - 2) + name[^1],
    };
}
