using System.Security.Cryptography;

namespace Sanmenxia.Security;

/// <summary>
/// PBKDF2-SHA512 password hashes, self-describing ("pbkdf2-sha512$iterations$salt$hash") so the cost can be
/// raised later without breaking stored hashes.
/// </summary>
public static class PasswordHashing
{
    private const string Scheme = "pbkdf2-sha512";
    private const int DefaultIterations = 210_000; // OWASP 2023 guidance for PBKDF2-HMAC-SHA512
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Hash(string password, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA512, HashBytes);
        return $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    private static readonly Lazy<string> s_nobody = new(() => Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));

    /// <summary>
    /// Spends the work of one <see cref="Verify"/> at the default cost and returns false: for an unknown username, so
    /// that a wrong password takes as long for a name that does not exist as for one that does.
    /// </summary>
    public static bool VerifyAgainstNobody(string password)
    {
        Verify(password, s_nobody.Value);
        return false;
    }

    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        // A cost below 1 is no hash Hash() ever wrote (and would throw below).
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], out var iterations) || iterations < 1) return false;
        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }
        // An empty (or truncated) hash part must not verify: zero derived bytes would equal zero expected ones.
        if (salt.Length == 0 || expected.Length < HashBytes) return false;
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA512, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
