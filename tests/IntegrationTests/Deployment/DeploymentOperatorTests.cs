using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Sanmenxia.Api.Hosting;
using Sanmenxia.Platform.Options;
using static Sanmenxia.IntegrationTests.Deployment.DeploymentFiles;

namespace Sanmenxia.IntegrationTests.Deployment;

/// <summary>
/// What an operator must be able to trust in docker/ (issue 21, item 7): the shutdown time the silo really uses, keys
/// that refuse placeholders, the trusted proxies, readiness without PostgreSQL, and images from a placeholder registry
/// with a kustomize override.
/// </summary>
public sealed class DeploymentOperatorTests
{
    /// <summary>The configuration the .NET host builds from these variables: DOTNET_ ones lose their prefix, __ is ':'.</summary>
    private static IConfiguration HostConfiguration(IReadOnlyDictionary<string, EnvValue> env) => new ConfigurationBuilder()
        .AddInMemoryCollection(env.Where(kv => kv.Value.Value is not null).Select(kv => new KeyValuePair<string, string?>(
            (kv.Key.StartsWith("DOTNET_", StringComparison.Ordinal) ? kv.Key["DOTNET_".Length..] : kv.Key).Replace("__", ":"), kv.Value.Value)))
        .Build();

    [Theory]
    [InlineData("Sanmenxia.Silo")]
    [InlineData("Sanmenxia.Api")]
    public void The_runtime_settings_chosen_by_measurement_travel_with_the_build_wherever_it_starts(string program)
    {
        // Set in the project (runtimeconfig.json), not in a start script: ./sanmenxia, the images and k8s all run the
        // same files (docs/benchmarks.md, issue 20). The built copy is next to the test assembly (project reference).
        var file = Path.Combine(AppContext.BaseDirectory, program + ".runtimeconfig.json");
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
        var properties = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.Equal("0", properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").ToString());
        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
    }

    [Fact]
    public void The_silo_uses_the_shutdown_timeout_the_manifests_set_and_the_grace_period_covers_it()
    {
        Assert.Equal(TimeSpan.FromSeconds(25), SanmenxiaClusterOptions.EffectiveShutdownTimeout(new ConfigurationBuilder().Build()));
        foreach (var silo in AllContainers.Where(c => c.Role == Role.Silo))
        {
            var set = int.Parse(silo.EffectiveEnv["DOTNET_shutdownTimeoutSeconds"].Value!);
            var used = SanmenxiaClusterOptions.EffectiveShutdownTimeout(HostConfiguration(silo.EffectiveEnv));
            Assert.Equal(TimeSpan.FromSeconds(set), used);
            var grace = silo.PodSpec is null
                ? TimeSpan.FromSeconds(int.Parse(Str(silo.Definition["stop_grace_period"])!.TrimEnd('s')))
                : TimeSpan.FromSeconds(int.Parse(Str(silo.PodSpec["terminationGracePeriodSeconds"])!));
            Assert.True(grace > used, $"{silo}: the grace period {grace} must exceed the shutdown time the silo uses ({used})");
        }
        // Program.cs hands that value to the host (not the Orleans:ShutdownTimeout default alone).
        Assert.Contains("EffectiveShutdownTimeout(builder.Configuration)", Read("src", "Silo", "Program.cs"));
    }

    [Fact]
    public void Hosts_refuse_the_placeholder_and_short_keys_of_the_example_secrets()
    {
        var secret = K8sObject("Secret", "sanmenxia-secrets");
        var stringData = Map(At(secret, "stringData"), "stringData");
        var placeholders = new ConfigurationBuilder().AddInMemoryCollection(stringData.Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ":"), Str(kv.Value)))).Build();
        var refused = StartupSecrets.Problems(placeholders, StartupSecrets.ApiKeys);
        Assert.Equal(2, refused.Count);
        Assert.All(refused, r => Assert.Contains("CHANGE-ME", r));
        Assert.DoesNotContain(refused, r => r.Contains(Str(stringData["Auth__SigningKey"])!, StringComparison.Ordinal)); // never the value itself
        var compose = new ConfigurationBuilder().AddInMemoryCollection(EnvExample.Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ":"), kv.Value))).Build();
        Assert.NotEmpty(StartupSecrets.Problems(compose, StartupSecrets.SiloKeys));

        static IConfiguration With(string value) => new ConfigurationBuilder().AddInMemoryCollection([new("Privacy:KeySecret", value)]).Build();
        Assert.Contains("at least 32", Assert.Single(StartupSecrets.Problems(With(new string('k', 31)), StartupSecrets.SiloKeys)));
        Assert.Contains("not set", Assert.Single(StartupSecrets.Problems(new ConfigurationBuilder().Build(), StartupSecrets.SiloKeys)));
        Assert.Empty(StartupSecrets.Problems(With("a-random-looking-secret-of-forty-chars-xx"), StartupSecrets.SiloKeys));
        Assert.Contains("StartupSecrets.Problems(builder.Configuration, StartupSecrets.SiloKeys)", Read("src", "Silo", "Program.cs"));
        Assert.Contains("StartupSecrets.Problems(builder.Configuration, StartupSecrets.ApiKeys)", Read("src", "Api", "Program.cs"));
    }

    [Fact]
    public void Kubernetes_sets_the_trusted_proxies_of_the_API()
    {
        var api = Assert.Single(K8sContainers, c => c.Role == Role.Api);
        var proxies = api.EffectiveEnv.GetValueOrDefault("Api__TrustedProxies")?.Value;
        Assert.False(string.IsNullOrWhiteSpace(proxies), "k8s API pods must set Api__TrustedProxies (the ingress's pod network)");
        Assert.All(proxies!.Split(','), p => Assert.True(System.Net.IPNetwork.TryParse(p.Trim(), out _), $"'{p}' is no CIDR network"));
        Assert.Contains("Api__TrustedProxies", Read("docker", "k8s", "30-api.yaml"));
    }

    [Fact]
    public void API_readiness_does_not_include_PostgreSQL_but_the_dependencies_report_does()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Orleans:Providers", "Postgres")]).Build();
        var services = new ServiceCollection().AddSanmenxiaHealth(configuration).BuildServiceProvider();
        var registrations = services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.ToDictionary(r => r.Name);
        Assert.DoesNotContain(HealthSetup.Ready, registrations["database"].Tags);
        Assert.Contains(HealthSetup.Dependencies, registrations["database"].Tags);
        Assert.Contains(HealthSetup.Ready, registrations["cluster"].Tags);
        var api = Assert.Single(K8sContainers, c => c.Role == Role.Api);
        Assert.Equal("/health/ready", Str(At(api.Definition, "readinessProbe", "httpGet", "path")));
    }

    [Fact]
    public void Images_come_from_a_placeholder_registry_that_kustomize_overrides()
    {
        var kustomization = Map(Yaml.Load(Read("docker", "k8s", "kustomization.yaml")), "kustomization");
        var overrides = Seq(kustomization["images"]).Select(i => Map(i, "image override")).ToDictionary(i => Str(i["name"])!);
        foreach (var container in K8sContainers)
        {
            var image = Str(container.Definition["image"])!;
            Assert.StartsWith("registry.example.invalid/sanmenxia/", image);
            var name = image[..image.LastIndexOf(':')];
            Assert.True(overrides.TryGetValue(name, out var entry), $"{container}: kustomization.yaml has no images: entry for {name}");
            Assert.Equal(image[(image.LastIndexOf(':') + 1)..], Str(entry!["newTag"]));
        }
    }
}
