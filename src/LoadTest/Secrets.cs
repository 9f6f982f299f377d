using System.Security.Cryptography;
using System.Text;
using Sanmenxia.Tooling;

namespace Sanmenxia.LoadTest;

/// <summary>
/// The operator secrets the tool needs, from the environment or the system's .data/secrets.env (same machine):
/// the admin password (to import), the JWT signing key (to mint resident tokens) and the pseudonym secret
/// (to compute the resident and phone keys the tokens name).
/// </summary>
public sealed record Secrets(string AdminUsername, string AdminPassword, string SigningKey, string KeySecret, string PgPassword, int PgPort, string PgDatabase)
{
    /// <summary>Reads every value at once, so a missing one stops the tool before it starts a phase.</summary>
    public static Secrets Load(string dataDir)
    {
        var system = SystemSecrets.Load(dataDir);
        return new Secrets(system.AdminUsername, system.AdminPassword, system.SigningKey, system.KeySecret, system.PgPassword, system.PgPort, system.PgDatabase);
    }

    public string PgConnectionString =>
        $"Host=127.0.0.1;Port={PgPort};Database={PgDatabase};Username=sanmenxia;Password={PgPassword};Pooling=false;Timeout=10";

    /// <summary>A password for a load-test staff account, derived from the signing key so re-runs can sign in again.</summary>
    public string StaffPassword(string username) =>
        "Lt-" + Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SigningKey), Encoding.UTF8.GetBytes("loadtest-staff:" + username)))[..24];
}
