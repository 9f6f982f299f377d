using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Sanmenxia.Tooling;

/// <summary>
/// Mints the token the API gives a signed-in resident (as AuthSetup validates and AuthEndpoints issues it): HS256
/// with Auth:SigningKey, iss = aud = "sanmenxia", claims sub = rk, role = resident, rk and, with a phone, pk.
/// The tools use it so that simulated residents need no one-time-code round trips.
/// </summary>
public sealed class ResidentTokenMinter(string signingKey)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials = new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256);

    /// <param name="issuedAt">Real time, not simulated time: the API checks lifetimes against the machine clock.</param>
    public string Mint(string residentKey, string? phoneKey, DateTimeOffset issuedAt, TimeSpan lifetime)
    {
        var iat = issuedAt.ToUnixTimeSeconds();
        return _handler.CreateToken(Payload(residentKey, phoneKey, iat, iat + (long)lifetime.TotalSeconds), _credentials);
    }

    /// <summary>
    /// The token's JSON payload. Keys are lowercase base32 (PseudonymousKeys): nothing to escape, so it is written
    /// directly (the load tester assembles millions from pre-computed signatures, see its TokenTable).
    /// </summary>
    public static string Payload(string residentKey, string? phoneKey, long iat, long exp)
    {
        var pk = phoneKey is null ? "" : $"\"pk\":\"{phoneKey}\",";
        return $"{{\"sub\":\"{residentKey}\",\"role\":\"resident\",\"rk\":\"{residentKey}\",{pk}\"iss\":\"sanmenxia\",\"aud\":\"sanmenxia\",\"iat\":{iat},\"nbf\":{iat},\"exp\":{exp}}}";
    }
}
