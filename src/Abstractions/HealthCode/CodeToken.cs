using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Sanmenxia.HealthCode;

[GenerateSerializer, Alias("sanmenxia.CodeTokenStatus")]
public enum CodeTokenStatus { Valid, Malformed, Forged, Altered, Expired, NotYetValid }

/// <summary>The content of a health-code QR: who, which colour, when issued, until when.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CodeTokenPayload")]
public sealed record CodeTokenPayload(
    [property: Id(0)] string ResidentKey,
    [property: Id(1)] CodeColour Colour,
    [property: Id(2)] DateTimeOffset IssuedAt,
    [property: Id(3)] DateTimeOffset ExpiresAt,
    [property: Id(4)] string Nonce,
    /// <summary>The code's reason at issue (public-key tokens, v2).</summary>
    [property: Id(160)] string? ReasonCode = null,
    /// <summary>The calendar day of issue in the policy's time zone (v2): a token from another day is a replay.</summary>
    [property: Id(161)] DateOnly? Day = null,
    /// <summary>The id of the signing key (v2).</summary>
    [property: Id(162)] string? KeyId = null);

/// <summary>What checking a token's signatures and lifetime found (the API checks, as it holds the key; grains decide with it).</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CodeTokenCheck")]
public sealed record CodeTokenCheck(
    [property: Id(0)] CodeTokenStatus Status,
    [property: Id(1)] CodeTokenPayload? Payload,
    [property: Id(2)] string Message);

/// <summary>
/// The signed, short-lived token a health-code QR carries: "v1.{payload}.{issuer-mac}.{content-mac}".
/// Two MACs tell a forgery from an alteration: the issuer MAC covers only the issue time and nonce, the
/// content MAC covers everything. A token we never issued fails both; a genuine token whose colour or
/// resident was changed keeps a valid issuer MAC but fails the content MAC.
/// </summary>
public static class CodeToken
{
    private const string Version = "v1";
    private const int MacBytes = 16;

    public static string Issue(ReadOnlySpan<byte> key, string residentKey, CodeColour colour, DateTimeOffset now, TimeSpan lifetime)
    {
        var nonce = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(9));
        var payload = $"{residentKey}|{(int)colour}|{now.ToUnixTimeSeconds()}|{(now + lifetime).ToUnixTimeSeconds()}|{nonce}";
        var encoded = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
        return $"{Version}.{encoded}.{Mac(key, "issuer", IssuerPart(payload))}.{Mac(key, "content", payload)}";
    }

    public static CodeTokenCheck Verify(ReadOnlySpan<byte> key, string? token, DateTimeOffset now)
    {
        var parts = (token ?? "").Trim().Split('.');
        if (parts.Length != 4 || parts[0] != Version)
            return new(CodeTokenStatus.Malformed, null, "This is not a Sanmenxia health-code QR.");
        string payload;
        try
        {
            payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1]));
        }
        catch (FormatException)
        {
            return new(CodeTokenStatus.Malformed, null, "The QR content is damaged.");
        }
        var fields = payload.Split('|');
        if (fields.Length != 5 || !int.TryParse(fields[1], out var colour) || !Enum.IsDefined((CodeColour)colour)
            || !long.TryParse(fields[2], out var issued) || !long.TryParse(fields[3], out var expires))
            return FixedTimeEquals(parts[2], Mac(key, "issuer", IssuerPart(payload)))
                ? new(CodeTokenStatus.Altered, null, "The QR was issued by us but its content was changed.")
                : new(CodeTokenStatus.Forged, null, "The QR was not issued by this system (forged).");

        if (!FixedTimeEquals(parts[2], Mac(key, "issuer", IssuerPart(payload))))
            return new(CodeTokenStatus.Forged, null, "The QR was not issued by this system (forged).");
        if (!FixedTimeEquals(parts[3], Mac(key, "content", payload)))
            return new(CodeTokenStatus.Altered, null, "The QR was issued by us but its content was changed.");

        var result = new CodeTokenPayload(fields[0], (CodeColour)colour, DateTimeOffset.FromUnixTimeSeconds(issued),
            DateTimeOffset.FromUnixTimeSeconds(expires), fields[4]);
        if (now >= result.ExpiresAt)
            return new(CodeTokenStatus.Expired, result, "The QR has expired: ask the person to refresh the code on the phone.");
        if (result.IssuedAt > now + TimeSpan.FromMinutes(2))
            return new(CodeTokenStatus.NotYetValid, result, "The QR claims to be issued in the future.");
        return new(CodeTokenStatus.Valid, result, "Valid health code.");
    }

    // The issuer MAC covers the issue time and the nonce only (the last three fields without expiry would do;
    // the nonce makes each token's issuer MAC unique).
    private static string IssuerPart(string payload)
    {
        var fields = payload.Split('|');
        return fields.Length == 5 ? $"{fields[2]}|{fields[4]}" : payload;
    }

    private static string Mac(ReadOnlySpan<byte> key, string purpose, string data)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(purpose + ":" + data), mac);
        return Base64Url.EncodeToString(mac[..MacBytes]);
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
