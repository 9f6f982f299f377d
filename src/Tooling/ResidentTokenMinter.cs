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
        var exp = iat + (long)lifetime.TotalSeconds;
        // Keys are lowercase base32 (PseudonymousKeys): nothing to escape, so the payload is written directly
        // (the load tester mints millions).
        var pk = phoneKey is null ? "" : $"\"pk\":\"{phoneKey}\",";
        var payload = $"{{\"sub\":\"{residentKey}\",\"role\":\"resident\",\"rk\":\"{residentKey}\",{pk}\"iss\":\"sanmenxia\",\"aud\":\"sanmenxia\",\"iat\":{iat},\"nbf\":{iat},\"exp\":{exp}}}";
        return _handler.CreateToken(payload, _credentials);
    }
}
