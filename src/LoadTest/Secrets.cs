using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Sanmenxia.Security;

namespace Sanmenxia.LoadTest;

/// <summary>
/// The operator secrets the tool needs, from the environment or the system's .data/secrets.env (same machine):
/// the admin password (to import), the JWT signing key (to mint resident tokens) and the pseudonym secret
/// (to compute the resident and phone keys the tokens name).
/// </summary>
public sealed record Secrets(string AdminUsername, string AdminPassword, string SigningKey, string KeySecret, string PgPassword, int PgPort, string PgDatabase)
{
    public static Secrets Load(string dataDir)
    {
        var file = Path.Combine(dataDir, "secrets.env");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(file))
            foreach (var line in File.ReadAllLines(file))
            {
                var t = line.Trim();
                if (t.Length == 0 || t.StartsWith('#')) continue;
                var eq = t.IndexOf('=');
                if (eq > 0) values[t[..eq].Trim()] = t[(eq + 1)..].Trim().Trim('"', '\'');
            }
        string Get(string key, string? fallback = null) =>
            Environment.GetEnvironmentVariable(key) is { Length: > 0 } env ? env
            : values.TryGetValue(key, out var v) && v.Length > 0 ? v
            : fallback ?? throw new InvalidOperationException($"{key} is neither in the environment nor in {file}: run ./sanmenxia up first.");
        return new Secrets(
            Get("Auth__BootstrapAdminUsername", "admin"),
            Get("Auth__BootstrapAdminPassword"),
            Get("Auth__SigningKey"),
            Get("Privacy__KeySecret"),
            Get("SANMENXIA_PG_PASSWORD"),
            int.Parse(Get("SANMENXIA_PG_PORT", "54329")),
            Get("SANMENXIA_PG_DB", "sanmenxia"));
    }

    public string PgConnectionString =>
        $"Host=127.0.0.1;Port={PgPort};Database={PgDatabase};Username=sanmenxia;Password={PgPassword};Pooling=false;Timeout=10";

    /// <summary>A password for a load-test staff account, derived from the signing key so re-runs can sign in again.</summary>
    public string StaffPassword(string username) =>
        "Lt-" + Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SigningKey), Encoding.UTF8.GetBytes("loadtest-staff:" + username)))[..24];
}

/// <summary>
/// Mints the tokens the API would give a signed-in resident (claims sub = rk, role = resident, rk, pk; HS256 with
/// Auth:SigningKey; issuer = audience = "sanmenxia"), so the day profile needs no one-time-code round trips.
/// </summary>
public sealed class ResidentTokens(Secrets secrets, Population population)
{
    private readonly PseudonymousKeys _keys = new(secrets.KeySecret);
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _credentials = new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secrets.SigningKey)), SecurityAlgorithms.HmacSha256);
    private readonly long _issuedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;

    public string ResidentKey(int index) => _keys.ForIdNumber(population.IdNumber(index));

    public string? PhoneKey(int index) => population.Phone(index) is { } phone ? _keys.ForPhone(phone) : null;

    public string For(int index)
    {
        var rk = ResidentKey(index);
        var pk = PhoneKey(index);
        // Keys are lowercase base32: nothing to escape in the JSON.
        var payload = pk is null
            ? $"{{\"sub\":\"{rk}\",\"role\":\"resident\",\"rk\":\"{rk}\",\"iss\":\"sanmenxia\",\"aud\":\"sanmenxia\",\"iat\":{_issuedAt},\"nbf\":{_issuedAt},\"exp\":{_issuedAt + 86_400}}}"
            : $"{{\"sub\":\"{rk}\",\"role\":\"resident\",\"rk\":\"{rk}\",\"pk\":\"{pk}\",\"iss\":\"sanmenxia\",\"aud\":\"sanmenxia\",\"iat\":{_issuedAt},\"nbf\":{_issuedAt},\"exp\":{_issuedAt + 86_400}}}";
        return _handler.CreateToken(payload, _credentials);
    }
}
