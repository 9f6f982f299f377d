using System.Buffers.Text;
using Microsoft.Extensions.Options;
using Sanmenxia.Api.Residents;
using Sanmenxia.Platform.Time;

namespace Sanmenxia.Api.Endpoints;

/// <summary>One published public key, JWK-style (RFC 7517/7518), with its window as Unix seconds.</summary>
public sealed record CodeKeyJwk(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg, long Nbf, long SignUntil, long Exp);

/// <summary>The published code-signing keys and what a verifier needs besides: the token lifetime and the time zone of "today".</summary>
public sealed record CodeKeySet(IReadOnlyList<CodeKeyJwk> Keys, DateTimeOffset IssuedAt, int TokenLifetimeSeconds, string TimeZone, int MaxAgeSeconds);

public static class CodeKeyEndpoints
{
    public const string Path = "/.well-known/sanmenxia-code-keys.json";

    /// <summary>
    /// The public keys that verify health-code tokens (JWKS-style), anonymous and cacheable: every key from its publication
    /// (an overlap before it signs) until it retires (an overlap after it stopped signing). The checkpoint page caches it to
    /// verify codes offline.
    /// </summary>
    public static IEndpointRouteBuilder MapCodeKeyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, async (CodeSigningKeyRing ring, DomainCalendar calendar, IOptions<QrOptions> options, HttpContext http) =>
        {
            var now = calendar.Now;
            var snapshot = await ring.GetAsync(http.RequestAborted);
            var keys = snapshot.Keys.Where(k => Sanmenxia.HealthCode.CodeKeySchedule.Published(k.Window, now)).Select(k =>
            {
                var q = k.PublicKey.ExportParameters(false).Q;
                return new CodeKeyJwk("EC", "P-256", Base64Url.EncodeToString(q.X), Base64Url.EncodeToString(q.Y), k.Window.KeyId, "sig", "ES256",
                    k.Window.NotBefore.ToUnixTimeSeconds(), k.Window.SignUntil.ToUnixTimeSeconds(), k.Window.VerifyUntil.ToUnixTimeSeconds());
            }).ToList();
            var maxAge = (int)options.Value.KeysCacheFor.TotalSeconds;
            http.Response.Headers.CacheControl = $"public, max-age={maxAge}";
            return Results.Ok(new CodeKeySet(keys, now, (int)options.Value.TokenLifetime.TotalSeconds, calendar.Policy.TimeZoneId, maxAge));
        }).WithTags("Health code").AllowAnonymous();
        return app;
    }
}
