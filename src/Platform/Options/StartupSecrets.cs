using Microsoft.Extensions.Configuration;

namespace Sanmenxia.Platform.Options;

/// <summary>
/// The keys a host refuses to start without: a missing key, the manifests' placeholder (<c>CHANGE-ME</c>) or a key
/// shorter than <see cref="MinimumLength"/> characters stops the silo and the API at startup with one clear log line,
/// instead of running with a guessable token-signing key or pseudonym secret (docs/security.md).
/// </summary>
public static class StartupSecrets
{
    public const int MinimumLength = 32;
    public const string Placeholder = "CHANGE-ME";

    /// <summary>The signing key of the API's tokens and the pseudonym secret (both hosts use the latter).</summary>
    public static readonly string[] ApiKeys = ["Auth:SigningKey", "Privacy:KeySecret"];
    public static readonly string[] SiloKeys = ["Privacy:KeySecret"];

    /// <summary>One line per refused key (empty when every key is acceptable); the values themselves are never named.</summary>
    public static IReadOnlyList<string> Problems(IConfiguration configuration, IEnumerable<string> keys)
    {
        var problems = new List<string>();
        foreach (var key in keys)
        {
            var value = configuration[key];
            var variable = key.Replace(":", "__", StringComparison.Ordinal);
            if (string.IsNullOrWhiteSpace(value)) problems.Add($"{key} is not set (environment {variable}).");
            else if (value.Contains(Placeholder, StringComparison.OrdinalIgnoreCase)) problems.Add($"{key} is still the placeholder {Placeholder}... of the example manifests: set a random value of at least {MinimumLength} characters (environment {variable}).");
            else if (value.Length < MinimumLength) problems.Add($"{key} is {value.Length} characters long; at least {MinimumLength} are required (environment {variable}).");
        }
        return problems;
    }
}
