using System.Security.Cryptography;
using System.Text;
using QRCoder;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.HealthCode;

namespace Sanmenxia.Api.Residents;

/// <summary>Settings of the QR tokens, section "HealthCode".</summary>
public sealed class QrOptions
{
    public const string Section = "HealthCode";
    /// <summary>How long a shown QR stays valid: short, so a screenshot cannot be reused later.</summary>
    /// <summary>
    /// How long a shown QR stays valid: short, so a screenshot cannot be reused later. It is also the bound on how stale a
    /// colour an offline checkpoint can accept: a code whose colour changed is shown by a token at most this old.
    /// </summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>How often the code-signing key changes (docs/operations.md, key rotation).</summary>
    public TimeSpan KeyRotateEvery { get; set; } = TimeSpan.FromDays(7);
    /// <summary>A key is published this long before it signs and verifies this long after it stopped signing.</summary>
    public TimeSpan KeyOverlap { get; set; } = TimeSpan.FromDays(2);
    /// <summary>How long browsers and checkpoint pages may cache the published public keys (the JWKS).</summary>
    public TimeSpan KeysCacheFor { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Issues and checks the short-lived tokens that health-code QRs carry, and draws the QR as SVG. Tokens are signed with the
/// key ring's ECDSA P-256 key (<see cref="SignedCodeToken"/>, v2), so checkpoints verify them offline with the published
/// public keys. The HMAC tokens of v1 (<see cref="CodeToken"/>) are still verified (not issued), so QRs on screens at an
/// upgrade stay readable for their few minutes.
/// </summary>
public sealed class HealthCodeQr
{
    private readonly byte[] _legacyKey;
    private readonly TimeProvider _clock;
    private readonly QrOptions _options;
    private readonly CodeSigningKeyRing _keys;
    private readonly Sanmenxia.Platform.Time.DomainCalendar _calendar;

    public HealthCodeQr(IConfiguration configuration, [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Sanmenxia.Platform.Time.DomainClock.Key)] TimeProvider clock,
        Microsoft.Extensions.Options.IOptions<QrOptions> options, CodeSigningKeyRing keys, Sanmenxia.Platform.Time.DomainCalendar calendar)
    {
        // v1's key, derived from the JWT signing key so operators manage one secret.
        var secret = configuration["Auth:SigningKey"] ?? throw new InvalidOperationException("Auth:SigningKey is not set.");
        _legacyKey = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes("sanmenxia health-code QR v1"));
        _clock = clock;
        _options = options.Value;
        _keys = keys;
        _calendar = calendar;
    }

    public async Task<QrResponse> IssueAsync(string residentKey, CodeColour colour, string reasonCode)
    {
        var now = _clock.GetUtcNow();
        var signer = (await _keys.GetAsync()).Signer(now) ?? throw new InvalidOperationException("No code-signing key signs now.");
        var token = SignedCodeToken.Issue(signer.PrivateKey!, signer.Window.KeyId, residentKey, colour, reasonCode, now, _options.TokenLifetime,
            _calendar.DayOf(now));
        using var data = QRCodeGenerator.GenerateQrCode(token, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(new System.Drawing.Size(256, 256), ColourHex(colour), "#ffffff",
            drawQuietZones: true, sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute);
        return new QrResponse(token, now + _options.TokenLifetime, colour.ToString(), svg);
    }

    /// <summary>Checks a token now, or, for a pass recorded offline, at the time it was scanned.</summary>
    public async Task<CodeTokenCheck> VerifyAsync(string? token, DateTimeOffset? at = null)
    {
        var when = at ?? _clock.GetUtcNow();
        if (!SignedCodeToken.IsSigned(token)) return CodeToken.Verify(_legacyKey, token, when);
        var keys = await _keys.GetAsync();
        return SignedCodeToken.Verify(keys.Find, token, when);
    }

    private static string ColourHex(CodeColour colour) => colour switch
    {
        CodeColour.Green => "#0a7d32",
        CodeColour.Yellow => "#b58900",
        CodeColour.Red => "#c0392b",
        _ => "#000000",
    };
}
