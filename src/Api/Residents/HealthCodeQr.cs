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
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Issues and checks the signed, short-lived tokens that health-code QRs carry, and draws the QR as SVG.</summary>
public sealed class HealthCodeQr
{
    private readonly byte[] _key;
    private readonly TimeProvider _clock;
    private readonly QrOptions _options;

    public HealthCodeQr(IConfiguration configuration, [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Sanmenxia.Platform.Time.DomainClock.Key)] TimeProvider clock, Microsoft.Extensions.Options.IOptions<QrOptions> options)
    {
        // A key of its own, derived from the JWT signing key so operators manage one secret.
        var secret = configuration["Auth:SigningKey"] ?? throw new InvalidOperationException("Auth:SigningKey is not set.");
        _key = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes("sanmenxia health-code QR v1"));
        _clock = clock;
        _options = options.Value;
    }

    public QrResponse Issue(string residentKey, CodeColour colour)
    {
        var now = _clock.GetUtcNow();
        var token = CodeToken.Issue(_key, residentKey, colour, now, _options.TokenLifetime);
        using var data = QRCodeGenerator.GenerateQrCode(token, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(new System.Drawing.Size(256, 256), ColourHex(colour), "#ffffff",
            drawQuietZones: true, sizingMode: SvgQRCode.SizingMode.ViewBoxAttribute);
        return new QrResponse(token, now + _options.TokenLifetime, colour.ToString(), svg);
    }

    public CodeTokenCheck Verify(string? token) => CodeToken.Verify(_key, token, _clock.GetUtcNow());

    private static string ColourHex(CodeColour colour) => colour switch
    {
        CodeColour.Green => "#0a7d32",
        CodeColour.Yellow => "#b58900",
        CodeColour.Red => "#c0392b",
        _ => "#000000",
    };
}
