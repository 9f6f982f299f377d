using System.Security.Cryptography;
using System.Text;

namespace Sanmenxia.Security;

/// <summary>
/// Keyed hashes that stand for personal data in grain keys, logs and URLs. The secret (pepper) lives in
/// configuration, so a leaked table of keys cannot be reversed by hashing every possible ID number.
/// </summary>
public sealed class PseudonymousKeys
{
    private readonly byte[] _secret;

    public PseudonymousKeys(string secret)
    {
        if (string.IsNullOrWhiteSpace(secret) || secret.Length < 16)
            throw new ArgumentException("Privacy:KeySecret must be at least 16 characters.", nameof(secret));
        _secret = Encoding.UTF8.GetBytes(secret);
    }

    /// <summary>Resident key: "r" + 26 lowercase base32 chars (128 bits of HMAC-SHA256 over the ID number).</summary>
    public string ForIdNumber(string normalizedIdNumber) => "r" + Hash("id:" + normalizedIdNumber);

    /// <summary>Phone key, used for one-time codes and the phone → resident index.</summary>
    public string ForPhone(string normalizedPhone) => "p" + Hash("phone:" + normalizedPhone);

    private string Hash(string value)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(value), mac);
        return Base32Lower(mac[..16]);
    }

    private static string Base32Lower(ReadOnlySpan<byte> data)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var sb = new StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) sb.Append(alphabet[(buffer << (5 - bits)) & 31]);
        return sb.ToString();
    }
}
