using Sanmenxia.Tooling;

namespace Sanmenxia.UnitTests.Tooling;

/// <summary>How the operator tools find the running system's settings: the environment first, then secrets.env.</summary>
public sealed class SystemSecretsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sanmenxia-secrets-").FullName;
    // Keys no one else sets: the environment is shared by every test in the process.
    private readonly string _fileOnly = "SANMENXIA_TEST_FILE_" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _both = "SANMENXIA_TEST_BOTH_" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public void The_environment_wins_over_the_file_and_quotes_comments_and_blank_lines_are_handled()
    {
        File.WriteAllLines(Path.Combine(_dir, "secrets.env"),
        [
            "# written by ./sanmenxia up",
            "",
            $"{_fileOnly}=\"quoted value\"",
            $"  {_both} = from-file  ",
        ]);
        Environment.SetEnvironmentVariable(_both, "from-environment");
        try
        {
            var secrets = SystemSecrets.Load(_dir);
            Assert.Equal("quoted value", secrets.Get(_fileOnly));
            Assert.Equal("from-environment", secrets.Get(_both));
        }
        finally
        {
            Environment.SetEnvironmentVariable(_both, null);
        }
        Assert.Equal("from-file", SystemSecrets.Load(_dir).Get(_both));
    }

    [Fact]
    public void A_missing_value_names_the_key_and_the_file_unless_there_is_a_fallback()
    {
        var secrets = SystemSecrets.Load(_dir); // no secrets.env at all
        Assert.Equal("fallback", secrets.Get(_fileOnly, "fallback"));
        var missing = Assert.Throws<MissingSecretException>(() => secrets.Get(_fileOnly));
        Assert.Equal(_fileOnly, missing.Key);
        Assert.Contains(Path.Combine(_dir, "secrets.env"), missing.Message);
        Assert.Contains("./sanmenxia up", missing.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
