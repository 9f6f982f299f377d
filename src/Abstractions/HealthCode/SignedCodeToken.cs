using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sanmenxia.HealthCode;

/// <summary>A public key that verifies code tokens, and until when it may (the end of its overlap window).</summary>
public sealed record CodeVerificationKey(string KeyId, ECDsa PublicKey, DateTimeOffset VerifyUntil);

/// <summary>
/// The public-key signed health-code token (v2), verifiable by anyone holding the published public keys, so a checkpoint
/// verifies it offline: <c>v2.{kid}.{payload}.{issuer-signature}.{content-signature}</c>.
/// <list type="bullet">
/// <item>payload: base64url of UTF-8 <c>resident|colour|reason|issued-at|expires-at|day|nonce</c> (colour as its number,
/// times as Unix seconds, day as yyyy-MM-dd in the policy's time zone).</item>
/// <item>Both signatures are ECDSA P-256 with SHA-256 in the IEEE P1363 form (r‖s, 64 bytes), which WebCrypto reads
/// as is. The issuer signature covers only <c>"i." kid "." issued-at "." nonce</c>, the content signature covers
/// <c>"c." kid "." payload</c>. As with the two MACs of v1 (<see cref="CodeToken"/>): a token we never issued fails
/// the issuer signature (forged; so does one naming a key we never published); a genuine token whose colour, resident
/// or expiry was changed keeps a valid issuer signature but fails the content signature (altered).</item>
/// </list>
/// No hand-written cryptography: the platform's <see cref="ECDsa"/> signs and verifies.
/// </summary>
public static class SignedCodeToken
{
    public const string Version = "v2";
    private const string ForgedMessage = "The QR was not issued by this system (forged).";
    private const string AlteredMessage = "The QR was issued by us but its content was changed.";

    public static string Issue(ECDsa signer, string keyId, string residentKey, CodeColour colour, string reasonCode, DateTimeOffset now,
        TimeSpan lifetime, DateOnly day)
    {
        if (keyId.Contains('.') || residentKey.Contains('|') || reasonCode.Contains('|'))
            throw new ArgumentException("Key ids hold no '.', resident keys and reason codes no '|'.");
        var nonce = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(9));
        var issued = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var payload = string.Join('|', residentKey, ((int)colour).ToString(CultureInfo.InvariantCulture), reasonCode, issued,
            (now + lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), nonce);
        var encoded = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
        var issuerSignature = signer.SignData(Encoding.ASCII.GetBytes(IssuerInput(keyId, issued, nonce)), HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var contentSignature = signer.SignData(Encoding.ASCII.GetBytes(ContentInput(keyId, encoded)), HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{Version}.{keyId}.{encoded}.{Base64Url.EncodeToString(issuerSignature)}.{Base64Url.EncodeToString(contentSignature)}";
    }

    /// <summary>True when the text has the v2 shape (the caller picks the verifier by it).</summary>
    public static bool IsSigned(string? token) => token is not null && token.TrimStart().StartsWith(Version + ".", StringComparison.Ordinal);

    /// <summary>
    /// Checks the token at <paramref name="now"/> (for a pass recorded offline, the time it was scanned). A key that is
    /// unknown is a forgery; a key past its overlap window verifies nothing any more: a genuine token signed by it is
    /// reported as expired (its lifetime ended long before the key retired), any other as forged or altered.
    /// </summary>
    public static CodeTokenCheck Verify(Func<string, CodeVerificationKey?> keys, string? token, DateTimeOffset now)
    {
        var parts = (token ?? "").Trim().Split('.');
        if (parts.Length != 5 || parts[0] != Version || parts[1].Length == 0)
            return new(CodeTokenStatus.Malformed, null, "This is not a Sanmenxia health-code QR.");
        byte[] payloadBytes, issuerSignature, contentSignature;
        try
        {
            payloadBytes = Base64Url.DecodeFromChars(parts[2]);
            issuerSignature = Base64Url.DecodeFromChars(parts[3]);
            contentSignature = Base64Url.DecodeFromChars(parts[4]);
        }
        catch (FormatException)
        {
            return new(CodeTokenStatus.Malformed, null, "The QR content is damaged.");
        }
        var key = keys(parts[1]);
        if (key is null) return new(CodeTokenStatus.Forged, null, ForgedMessage + " It names a signing key this system never published.");

        var fields = Encoding.UTF8.GetString(payloadBytes).Split('|');
        var issuerInput = fields.Length == 7 ? IssuerInput(parts[1], fields[3], fields[6]) : "i." + parts[1] + "." + parts[2];
        if (!Verifies(key.PublicKey, issuerInput, issuerSignature)) return new(CodeTokenStatus.Forged, null, ForgedMessage);
        if (!Verifies(key.PublicKey, ContentInput(parts[1], parts[2]), contentSignature)) return new(CodeTokenStatus.Altered, null, AlteredMessage);
        if (fields.Length != 7 || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var colour)
            || !Enum.IsDefined((CodeColour)colour)
            || !long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var issued)
            || !long.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || !DateOnly.TryParseExact(fields[5], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return new(CodeTokenStatus.Malformed, null, "The QR was signed by us but its content cannot be read.");

        var payload = new CodeTokenPayload(fields[0], (CodeColour)colour, DateTimeOffset.FromUnixTimeSeconds(issued),
            DateTimeOffset.FromUnixTimeSeconds(expires), fields[6], fields[2], day, parts[1]);
        if (now >= key.VerifyUntil)
            return new(CodeTokenStatus.Expired, payload, "The QR was signed with a key that has been retired: it expired long ago.");
        if (now >= payload.ExpiresAt)
            return new(CodeTokenStatus.Expired, payload, "The QR has expired: ask the person to refresh the code on the phone.");
        if (payload.IssuedAt > now + TimeSpan.FromMinutes(2))
            return new(CodeTokenStatus.NotYetValid, payload, "The QR claims to be issued in the future.");
        return new(CodeTokenStatus.Valid, payload, "Valid health code.");
    }

    private static string IssuerInput(string keyId, string issued, string nonce) => $"i.{keyId}.{issued}.{nonce}";

    private static string ContentInput(string keyId, string encodedPayload) => $"c.{keyId}.{encodedPayload}";

    private static bool Verifies(ECDsa key, string input, byte[] signature) =>
        signature.Length == 64
        && key.VerifyData(Encoding.ASCII.GetBytes(input), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
}
