namespace Sanmenxia.Tooling;

/// <summary>
/// The running system's operator settings as a tool on the same machine finds them: an environment variable wins,
/// then the line in the data folder's secrets.env that <c>./sanmenxia up</c> writes.
/// </summary>
public sealed class SystemSecrets
{
    private readonly Dictionary<string, string> _file;

    private SystemSecrets(string path, Dictionary<string, string> file) => (FilePath, _file) = (path, file);

    /// <summary>The secrets.env this instance read (it may not exist: then only the environment counts).</summary>
    public string FilePath { get; }

    public static SystemSecrets Load(string dataDir)
    {
        var path = Path.Combine(dataDir, "secrets.env");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(path))
            foreach (var line in File.ReadAllLines(path))
            {
                var t = line.Trim();
                if (t.Length == 0 || t.StartsWith('#')) continue;
                var eq = t.IndexOf('=');
                if (eq > 0) values[t[..eq].Trim()] = t[(eq + 1)..].Trim().Trim('"', '\'');
            }
        return new SystemSecrets(path, values);
    }

    /// <summary>The value of <paramref name="key"/>, else <paramref name="fallback"/>; without either, a <see cref="MissingSecretException"/>.</summary>
    public string Get(string key, string? fallback = null) =>
        Environment.GetEnvironmentVariable(key) is { Length: > 0 } env ? env
        : _file.TryGetValue(key, out var v) && v.Length > 0 ? v
        : fallback ?? throw new MissingSecretException(key, FilePath);

    public string AdminUsername => Get("Auth__BootstrapAdminUsername", "admin");
    public string AdminPassword => Get("Auth__BootstrapAdminPassword");
    public string SigningKey => Get("Auth__SigningKey");
    public string KeySecret => Get("Privacy__KeySecret");
    public string PgPassword => Get("SANMENXIA_PG_PASSWORD");
    public int PgPort => int.Parse(Get("SANMENXIA_PG_PORT", "54329"), System.Globalization.CultureInfo.InvariantCulture);
    public string PgDatabase => Get("SANMENXIA_PG_DB", "sanmenxia");

    /// <summary>The system's database as the tools reach it: loopback, the application role, no other options.</summary>
    public string PgConnectionString => $"Host=127.0.0.1;Port={PgPort};Database={PgDatabase};Username=sanmenxia;Password={PgPassword}";
}

public sealed class MissingSecretException(string key, string file)
    : InvalidOperationException($"{key} is neither in the environment nor in {file}: start the system with ./sanmenxia up first.")
{
    public string Key { get; } = key;
}
