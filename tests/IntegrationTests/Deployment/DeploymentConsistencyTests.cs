using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Sanmenxia.Api.Hosting;
using Sanmenxia.Api.Security;
using Sanmenxia.Silo;
using Sanmenxia.Silo.Hosting;
using static Sanmenxia.IntegrationTests.Deployment.DeploymentFiles;
using Sanmenxia.Platform.Options;
using ClusterOptions = Sanmenxia.Platform.Options.SanmenxiaClusterOptions;

namespace Sanmenxia.IntegrationTests.Deployment;

/// <summary>
/// docker/ (Dockerfiles, compose, nginx, Kubernetes manifests) cannot run on the project's machines (no
/// container engine), so these tests hold it to the application instead: every variable it sets is a real
/// setting, the ports and commands are the ones the code uses, the probes hit mapped endpoints, and every
/// container gets the settings and secrets it cannot start without.
/// </summary>
public sealed class DeploymentConsistencyTests
{
    /// <summary>The bound option classes and their configuration sections.</summary>
    private static readonly Dictionary<string, Type> OptionSections = new(StringComparer.OrdinalIgnoreCase)
    {
        [ClusterOptions.Section] = typeof(ClusterOptions),
        [PostgresOptions.Section] = typeof(PostgresOptions),
        [ApiOptions.Section] = typeof(ApiOptions),
        [AuthOptions.Section] = typeof(AuthOptions),
    };

    /// <summary>Keys read without an options class (Privacy:KeySecret in Grains) and the hosts' own variables.</summary>
    private static bool AllowListed(string name) =>
        name is "Privacy__KeySecret" or "Urls"
        || name.StartsWith("ASPNETCORE_", StringComparison.Ordinal)
        || name.StartsWith("DOTNET_", StringComparison.Ordinal);

    private static readonly string[] SecretNames = ["Postgres__ConnectionString", "Privacy__KeySecret", "Auth__SigningKey", "Auth__BootstrapAdminPassword"];

    private static readonly Dictionary<Role, string[]> Required = new()
    {
        [Role.Migrate] = ["Postgres__ConnectionString"],
        [Role.Silo] = ["Postgres__ConnectionString", "Privacy__KeySecret", "Orleans__ClusterId", "Orleans__ServiceId"],
        [Role.Api] = ["Postgres__ConnectionString", "Privacy__KeySecret", "Orleans__ClusterId", "Orleans__ServiceId", "Auth__SigningKey", "Auth__BootstrapAdminPassword"],
    };

    /// <summary>The paths the silo's health listener answers (src/Silo/Hosting/SiloHealthListener.cs).</summary>
    private static HashSet<string> SiloHealthPaths => Regex.Matches(Read("src", "Silo", "Hosting", "SiloHealthListener.cs"), @"""(/health/\w+)"" =>")
        .Select(m => m.Groups[1].Value).ToHashSet();

    private static string SiloDll => typeof(SiloProgram).Assembly.GetName().Name + ".dll";
    private static string ApiDll => typeof(Program).Assembly.GetName().Name + ".dll";

    [Fact]
    public void The_deployment_files_define_the_expected_containers()
    {
        Assert.Equal(3, ComposeContainers.Count(c => c.Role == Role.Silo));
        Assert.Equal(2, ComposeContainers.Count(c => c.Role == Role.Api));
        Assert.Single(ComposeContainers, c => c.Role == Role.Migrate);
        Assert.Single(K8sContainers, c => c.Role == Role.Silo);
        Assert.Single(K8sContainers, c => c.Role == Role.Api);
        Assert.Single(K8sContainers, c => c.Role == Role.Migrate);
    }

    [Fact]
    public void Every_variable_set_for_a_Sanmenxia_container_is_a_real_setting_with_a_bindable_value()
    {
        foreach (var container in AllContainers)
        {
            var env = container.EffectiveEnv;
            foreach (var name in env.Keys.Where(n => !AllowListed(n)))
            {
                var parts = name.Split("__");
                Assert.True(parts.Length == 2, $"{container}: {name} is no Section__Key setting and not allow-listed");
                Assert.True(OptionSections.TryGetValue(parts[0], out var type), $"{container}: {name}: no options class binds section '{parts[0]}'");
                var property = type!.GetProperty(parts[1], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                Assert.True(property is { CanWrite: true }, $"{container}: {name}: {type.Name} has no settable property '{parts[1]}'");
            }

            // Bind the literal values as the host would: a wrong type or an unknown key fails here, not at start-up.
            var configuration = Configure(env);
            foreach (var (section, type) in OptionSections)
                configuration.GetSection(section).Get(type, o => o.ErrorOnUnknownConfiguration = true);
        }
    }

    [Fact]
    public void The_silo_image_also_carries_the_setting_its_entrypoint_exports()
    {
        var script = Read("docker", "silo-entrypoint.sh");
        Assert.Contains("export Orleans__AdvertisedAddress", script);
        Assert.Contains("hostname -i", script);
        Assert.True(typeof(ClusterOptions).GetProperty(nameof(ClusterOptions.AdvertisedAddress)) is not null);
        Assert.Equal(["/bin/sh", "/app/silo-entrypoint.sh"], SiloImage.Entrypoint);
        Assert.Contains(SiloImage.Instructions, i => Regex.IsMatch(i, @"^COPY\s+docker/silo-entrypoint\.sh\s+/app/silo-entrypoint\.sh$"));
    }

    [Fact]
    public void Silo_ports_in_the_manifests_are_the_ports_the_silo_listens_on()
    {
        var defaults = new ClusterOptions();
        Assert.Equal((11111, 30000), (defaults.SiloPort, defaults.GatewayPort));
        var fromAppSettings = new ConfigurationBuilder().AddJsonFile(Path.Combine(RepoRoot, "src", "Silo", "silo.appsettings.json")).Build()
            .GetSection(ClusterOptions.Section).Get<ClusterOptions>()!;

        foreach (var silo in AllContainers.Where(c => c.Role == Role.Silo))
        {
            var cluster = Configure(silo.EffectiveEnv, Path.Combine(RepoRoot, "src", "Silo", "silo.appsettings.json")).GetSection(ClusterOptions.Section).Get<ClusterOptions>()!;
            var ports = new[] { cluster.SiloPort, cluster.GatewayPort };
            Assert.True(ports.SequenceEqual([defaults.SiloPort, defaults.GatewayPort]) || silo.Env.ContainsKey("Orleans__SiloPort"),
                $"{silo}: silo/gateway ports {string.Join("/", ports)} differ from ClusterOptions' defaults without an explicit setting");
            Assert.Equal([fromAppSettings.SiloPort, fromAppSettings.GatewayPort], ports);
            Assert.Equal(ports.Order(), silo.Image.Exposed.Order());

            if (silo.PodSpec is null)
            {
                Assert.Equal(ports.Select(p => p.ToString()).Order(), Strings(silo.Definition.GetValueOrDefault("expose")).Order());
                var healthcheck = string.Join(' ', Strings(At(silo.Definition, "healthcheck", "test")));
                Assert.Contains($"/{cluster.SiloPort}", healthcheck);
                Assert.False(silo.Definition.ContainsKey("entrypoint"), $"{silo}: keep the image's entrypoint (it sets the advertised address)");
            }
            else
            {
                var containerPorts = ContainerPorts(silo.Definition);
                Assert.Equal(cluster.SiloPort, containerPorts["silo"]);
                Assert.Equal(cluster.GatewayPort, containerPorts["gateway"]);
                // Probes ask the silo's health listener (a TCP probe passes for a hung process: the kernel accepts for it).
                Assert.True(cluster.HealthPort > 0, $"{silo}: Orleans__HealthPort must be set for the HTTP probes");
                Assert.Equal(cluster.HealthPort, containerPorts["health"]);
                foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
                {
                    Assert.Null(At(silo.Definition, probe, "tcpSocket"));
                    var get = At(silo.Definition, probe, "httpGet");
                    Assert.True(get is not null, $"{silo}: {probe} must be an httpGet probe of the silo's health listener");
                    Assert.Equal(cluster.HealthPort, ResolvePort(At(get, "port"), containerPorts));
                    Assert.Contains(Str(At(get, "path")) ?? "", SiloHealthPaths);
                }
                Assert.Equal("/health/live", Str(At(silo.Definition, "livenessProbe", "httpGet", "path")));
                Assert.Equal("/health/ready", Str(At(silo.Definition, "readinessProbe", "httpGet", "path")));
            }
        }
    }

    [Fact]
    public void The_API_listens_on_all_interfaces_at_the_port_the_manifests_send_traffic_to()
    {
        var nginx = Read("docker", "nginx.conf");
        Assert.Contains(ListenPort(ApiImage.Name, ApiImage.Env.GetValueOrDefault("Urls")), ApiImage.Exposed);
        foreach (var api in AllContainers.Where(c => c.Role == Role.Api))
        {
            var port = ListenPort(api.ToString(), api.EffectiveEnv.GetValueOrDefault("Urls")?.Value);
            Assert.Contains(port, api.Image.Exposed);

            if (api.PodSpec is null)
            {
                Assert.Contains(port.ToString(), Strings(api.Definition.GetValueOrDefault("expose")));
                var service = api.Where["compose service ".Length..];
                foreach (var upstream in Regex.Matches(nginx, @"upstream\s+(\w+)\s*\{([^}]*)\}").Cast<Match>())
                    Assert.Contains($"server {service}:{port}", upstream.Groups[2].Value);
            }
            else
            {
                var containerPorts = ContainerPorts(api.Definition);
                Assert.Equal(port, containerPorts["http"]);
                foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
                    if (At(api.Definition, probe, "httpGet") is { } get)
                        Assert.Equal(port, ResolvePort(At(get, "port"), containerPorts));

                var podLabels = Map(At(K8sObject("Deployment", "sanmenxia-api"), "spec", "template", "metadata", "labels"), "api pod labels");
                var apiService = K8sKind("Service").Single(s => Selects(At(s, "spec", "selector"), podLabels));
                var servicePorts = Seq(At(apiService, "spec", "ports")).Select(p => Map(p, "service port")).ToList();
                Assert.All(servicePorts, p => Assert.Equal(port, ResolvePort(p.GetValueOrDefault("targetPort") ?? p["port"], containerPorts)));

                var serviceName = Str(At(apiService, "metadata", "name"));
                var backends = K8sKind("Ingress").SelectMany(i => Seq(At(i, "spec", "rules")))
                    .SelectMany(r => Seq(At(r, "http", "paths"))).Select(p => At(p, "backend", "service")).ToList();
                Assert.NotEmpty(backends);
                foreach (var backend in backends)
                {
                    Assert.Equal(serviceName, Str(At(backend, "name")));
                    var wanted = At(backend, "port", "name") ?? At(backend, "port", "number");
                    Assert.Contains(servicePorts, p => Str(p.GetValueOrDefault("name")) == Str(wanted) || Str(p["port"]) == Str(wanted));
                }
            }
        }

        // The proxy publishes the API on the same port as ./sanmenxia up (src/Api/appsettings.json Urls).
        var local = new ConfigurationBuilder().AddJsonFile(Path.Combine(RepoRoot, "src", "Api", "appsettings.json")).Build()["Urls"]!;
        var proxy = Map(ComposeServices["proxy"], "proxy");
        var published = Assert.Single(Strings(proxy["ports"]));
        Assert.Equal($"{new Uri(local).Port}:{Regex.Match(nginx, @"listen\s+(\d+);").Groups[1].Value}", published);
        Assert.Contains(Strings(proxy["volumes"]), v => v.StartsWith("./nginx.conf:", StringComparison.Ordinal));
    }

    [Fact]
    public void Commands_run_the_project_assemblies()
    {
        Assert.Equal("Sanmenxia.Silo.dll", SiloDll);
        Assert.Equal("Sanmenxia.Api.dll", ApiDll);

        // Every DLL a deployment file names is one of the two entry assemblies.
        foreach (var file in Directory.EnumerateFiles(DockerDir, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".env", StringComparison.Ordinal)))
            foreach (Match dll in Regex.Matches(File.ReadAllText(file), @"[\w.]+\.dll\b"))
                Assert.True(dll.Value == SiloDll || dll.Value == ApiDll, $"{Path.GetRelativePath(RepoRoot, file)} runs {dll.Value}, which the projects do not build");

        Assert.Matches($@"(?m)^exec dotnet {Regex.Escape(SiloDll)} ""\$@""$", Read("docker", "silo-entrypoint.sh"));
        Assert.Equal(["dotnet", ApiDll], ApiImage.Entrypoint);
        foreach (var c in AllContainers.Where(c => c.Role == Role.Api)) Assert.Equal(["dotnet", ApiDll], c.Command);
        foreach (var c in AllContainers.Where(c => c.Role == Role.Silo)) Assert.Equal(SiloImage.Entrypoint, c.Command);
        foreach (var c in AllContainers.Where(c => c.Role == Role.Migrate)) Assert.Equal(["dotnet", SiloDll, "migrate"], c.Command);
        Assert.Contains("args.Contains(\"migrate\")", Read("src", "Silo", "Program.cs"));

        // The Dockerfiles build the real projects, and copy every project file the restore needs.
        foreach (var (image, project, assembly) in new[] { (SiloImage, "src/Silo/Sanmenxia.Silo.csproj", SiloDll), (ApiImage, "src/Api/Sanmenxia.Api.csproj", ApiDll) })
        {
            Assert.Contains(image.Instructions, i => i.StartsWith("RUN dotnet publish " + project, StringComparison.Ordinal));
            Assert.DoesNotContain("<AssemblyName>", Read(project));
            Assert.Equal(Path.GetFileNameWithoutExtension(project) + ".dll", assembly);
            var copied = image.Instructions.Where(i => i.StartsWith("COPY ", StringComparison.Ordinal) && i.EndsWith('/'))
                .SelectMany(i => i.Split(' ')[1..^1]).ToHashSet();
            foreach (var needed in ProjectClosure(project))
            {
                Assert.True(File.Exists(Path.Combine(RepoRoot, needed)), $"{needed} does not exist");
                Assert.True(copied.Contains(needed), $"{image.Name} does not copy {needed} before 'dotnet restore'");
            }
            Assert.True(image.User is { Length: > 0 } user && user != "root" && user != "0", $"{image.Name} must run as a non-root USER");
            Assert.Matches(@"^FROM mcr\.microsoft\.com/dotnet/sdk:10\.0 AS build$", image.Instructions.First(i => i.StartsWith("FROM ", StringComparison.Ordinal)));
            Assert.Matches(@"^FROM mcr\.microsoft\.com/dotnet/aspnet:10\.0( AS \w+)?$", image.Instructions.Last(i => i.StartsWith("FROM ", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public void Health_probes_use_mapped_endpoints()
    {
        var mapped = Regex.Matches(Read("src", "Api", "Hosting", "HealthSetup.cs"), @"MapHealthChecks\(""([^""]+)""")
            .Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Equal(new[] { "/health/dependencies", "/health/live", "/health/ready" }, mapped.Order().ToArray());
        var api = Assert.Single(K8sContainers, c => c.Role == Role.Api);
        Assert.Equal("/health/live", Str(At(api.Definition, "livenessProbe", "httpGet", "path")));
        Assert.Equal("/health/ready", Str(At(api.Definition, "readinessProbe", "httpGet", "path")));
        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
            if (Str(At(api.Definition, probe, "httpGet", "path")) is { } path)
                Assert.Contains(path, mapped);
    }

    [Fact]
    public void Every_container_gets_the_settings_and_secrets_it_needs_from_the_secret_stores()
    {
        var secrets = K8sKind("Secret").ToList();
        foreach (var container in AllContainers)
        {
            var env = container.EffectiveEnv;
            foreach (var name in Required[container.Role])
                Assert.True(env.TryGetValue(name, out var v) && (v.Value is { Length: > 0 } || v.Source == Source.SecretKey), $"{container}: {name} is not set");

            foreach (var name in SecretNames.Where(env.ContainsKey))
            {
                var value = env[name];
                if (container.PodSpec is null)
                {
                    // compose: from docker/.env, failing fast when it is missing; never a literal secret.
                    var variables = Regex.Matches(value.Value ?? "", @"\$\{(\w+):\?[^}]*\}").Select(m => m.Groups[1].Value).ToList();
                    Assert.True(variables.Count > 0, $"{container}: {name} must come from docker/.env as ${{VAR:?message}}");
                    Assert.All(variables, v => Assert.True(EnvExample.ContainsKey(v), $"{container}: ${v} is not in docker/.env.example"));
                }
                else
                {
                    Assert.True(value.Source == Source.SecretKey, $"{container}: {name} must come from a Secret, not a literal or ConfigMap");
                    var secret = Assert.Single(secrets, s => Str(At(s, "metadata", "name")) == value.RefName);
                    Assert.Contains(value.RefKey, SecretKeys(secret));
                }
            }

            if (container.Role == Role.Silo && container.PodSpec is not null)
                Assert.Equal(new EnvValue(Source.FieldRef, "status.podIP"), container.Env["Orleans__AdvertisedAddress"]);
        }

        // Placeholders only, never real values.
        foreach (var secret in secrets)
            foreach (var (key, value) in Map(At(secret, "stringData") ?? new Dictionary<string, object?>(), "stringData"))
                Assert.True(Str(value)?.Contains("CHANGE-ME", StringComparison.Ordinal) == true, $"k8s Secret key {key} must hold a CHANGE-ME placeholder");
        Assert.Null(At(secrets.Single(), "data"));
        Assert.All(EnvExample, kv => Assert.Contains("CHANGE-ME", kv.Value));
        Assert.Contains(".env", File.ReadAllLines(Path.Combine(DockerDir, ".gitignore")));

        // One cluster: every process shares ClusterId and ServiceId. The orleans/* pod labels belong to Orleans' Kubernetes
        // hosting package, which the silo does not use (membership is in PostgreSQL): no pod carries them.
        foreach (var key in new[] { "Orleans__ClusterId", "Orleans__ServiceId" })
            Assert.Single(AllContainers.Where(c => c.Role != Role.Migrate).Select(c => c.EffectiveEnv[key].Value).Distinct());
        Assert.DoesNotContain("Microsoft.Orleans.Hosting.Kubernetes", Read("src", "Silo", "Sanmenxia.Silo.csproj"));
        foreach (var deployment in K8sKind("Deployment"))
            Assert.DoesNotContain(Map(At(deployment, "spec", "template", "metadata", "labels"), "pod labels").Keys, k => k.StartsWith("orleans/", StringComparison.Ordinal));

        // compose: the connection string points at the postgres service, its database, user and password.
        var postgres = Map(ComposeServices["postgres"], "postgres");
        var pgEnv = Map(postgres["environment"], "postgres environment");
        foreach (var container in ComposeContainers)
        {
            var builder = new NpgsqlConnectionStringBuilder(container.Env["Postgres__ConnectionString"].Value);
            Assert.Equal(("postgres", 5432), (builder.Host, builder.Port));
            Assert.Equal(Str(pgEnv["POSTGRES_DB"]), builder.Database);
            Assert.Equal(Str(pgEnv["POSTGRES_USER"]), builder.Username);
            Assert.Equal(Str(pgEnv["POSTGRES_PASSWORD"]), builder.Password);
        }
    }

    [Fact]
    public void Compose_starts_in_order_and_the_proxy_carries_SignalR_WebSockets()
    {
        foreach (var container in ComposeContainers.Where(c => c.Role != Role.Migrate))
            Assert.Equal("service_completed_successfully", Str(At(container.Definition, "depends_on", "migrate", "condition")));
        var migrate = Assert.Single(ComposeContainers, c => c.Role == Role.Migrate);
        Assert.Equal("service_healthy", Str(At(migrate.Definition, "depends_on", "postgres", "condition")));
        Assert.Equal("no", Str(migrate.Definition["restart"]));

        var postgres = Map(ComposeServices["postgres"], "postgres");
        Assert.Equal("postgres:15", Str(postgres["image"]));
        Assert.NotNull(At(postgres, "healthcheck", "test"));
        var volume = Assert.Single(Strings(postgres["volumes"]));
        Assert.EndsWith(":/var/lib/postgresql/data", volume);
        Assert.True(Map(Compose["volumes"], "volumes").ContainsKey(volume.Split(':')[0]), "the PostgreSQL volume is not declared");

        foreach (var silo in ComposeContainers.Where(c => c.Role == Role.Silo))
            Assert.True(ParseDuration(Str(silo.Definition["stop_grace_period"])) > TimeSpan.FromSeconds(int.Parse(silo.EffectiveEnv["DOTNET_shutdownTimeoutSeconds"].Value!)),
                $"{silo}: stop_grace_period must exceed the host's shutdown timeout");

        // SignalR: same path prefix as the token-from-query rule, HTTP/1.1 and the upgrade headers.
        Assert.Contains("StartsWithSegments(\"/hubs\")", Read("src", "Api", "Security", "AuthSetup.cs"));
        var nginx = Read("docker", "nginx.conf");
        var hubs = Regex.Match(nginx, @"location\s+/hubs/\s*\{([^}]*)\}");
        Assert.True(hubs.Success, "nginx.conf has no 'location /hubs/' block");
        Assert.Contains("proxy_http_version 1.1;", hubs.Groups[1].Value);
        Assert.Contains("proxy_set_header Upgrade $http_upgrade;", hubs.Groups[1].Value);
        Assert.Matches(@"proxy_set_header Connection \$connection_upgrade;", hubs.Groups[1].Value);
        Assert.Matches(@"map \$http_upgrade \$connection_upgrade", nginx);
    }

    [Fact]
    public void Kubernetes_manifests_follow_the_Orleans_deployment_guidance()
    {
        var ns = Str(At(Assert.Single(K8sKind("Namespace")), "metadata", "name"));
        Assert.All(K8s.Where(o => Str(o.Object.GetValueOrDefault("kind")) is { } k && k != "Namespace" && k != "Kustomization"),
            o => Assert.Equal(ns, Str(At(o.Object, "metadata", "namespace"))));

        var siloDeployment = K8sObject("Deployment", "sanmenxia-silo");
        Assert.Equal("3", Str(At(siloDeployment, "spec", "replicas")));
        var silo = Assert.Single(K8sContainers, c => c.Role == Role.Silo);
        var grace = int.Parse(Str(silo.PodSpec!["terminationGracePeriodSeconds"])!);
        Assert.True(grace >= 60, "silos need time to hand their grains off");
        Assert.True(grace > int.Parse(silo.EffectiveEnv["DOTNET_shutdownTimeoutSeconds"].Value!), "the grace period must exceed the host's shutdown timeout");
        var siloLabels = Map(At(siloDeployment, "spec", "template", "metadata", "labels"), "silo labels");
        Assert.True(Selects(At(siloDeployment, "spec", "selector", "matchLabels"), siloLabels));

        var pdb = Assert.Single(K8sKind("PodDisruptionBudget"), p => Selects(At(p, "spec", "selector", "matchLabels"), siloLabels));
        Assert.Equal("1", Str(At(pdb, "spec", "maxUnavailable")));

        var apiDeployment = K8sObject("Deployment", "sanmenxia-api");
        Assert.Equal("2", Str(At(apiDeployment, "spec", "replicas")));
        var api = Assert.Single(K8sContainers, c => c.Role == Role.Api);
        Assert.True(int.Parse(Str(api.PodSpec!["terminationGracePeriodSeconds"])!) > int.Parse(api.EffectiveEnv["DOTNET_shutdownTimeoutSeconds"].Value!) + 5);

        var job = Assert.Single(K8sContainers, c => c.Role == Role.Migrate);
        Assert.Contains(Str(job.PodSpec!["restartPolicy"]), new[] { "OnFailure", "Never" });

        foreach (var container in K8sContainers)
            Assert.Equal("true", Str(At(container.PodSpec, "securityContext", "runAsNonRoot")));

        // kustomization.yaml lists every manifest.
        var kustomization = Map(Yaml.Load(Read("docker", "k8s", "kustomization.yaml")), "kustomization");
        var listed = Strings(kustomization["resources"]).Order();
        var files = Directory.GetFiles(Path.Combine(DockerDir, "k8s"), "*.yaml").Select(f => Path.GetFileName(f)).Where(f => f != "kustomization.yaml").Order();
        Assert.Equal(files, listed);
    }

    [Fact]
    public void The_YAML_reader_handles_the_subset_the_manifests_use()
    {
        var doc = Map(Yaml.Load("""
            # comment
            base: &base
              a: "1"   # trailing comment
              b: 'it''s'
            child:
              <<: *base
              b: plain # wins over the merged value
            list:
            - x: 1
              y: [a, "b, c", 'd']
            - "5080:80"
            - ./f:/g:ro
            block: |
              line one
              line two
            empty: {}
            """), "doc");
        Assert.Equal("1", At(doc, "child", "a"));
        Assert.Equal("plain", At(doc, "child", "b"));
        Assert.Equal("it's", At(doc, "base", "b"));
        var list = Seq(doc["list"]);
        Assert.Equal(["a", "b, c", "d"], Strings(At(list[0], "y")));
        Assert.Equal(["5080:80", "./f:/g:ro"], list.Skip(1).Select(Str));
        Assert.Equal("line one\nline two\n", doc["block"]);
        Assert.Empty(Map(doc["empty"], "empty"));
        Assert.Throws<FormatException>(() => Yaml.Load("a: 1\n  b: 2\n"));
        Assert.Throws<FormatException>(() => Yaml.Load("a: 1\na: 2\n"));
        Assert.Equal(2, Yaml.LoadAll("a: 1\n---\nb: 2\n").Count);
        // Kubernetes style: a leading and a trailing "---", comments between documents.
        Assert.Equal(["x", "y"], Yaml.LoadAll("---\nkind: x\n---\n# only a comment\n---\nkind: y\n---\n").Select(d => Str(At(d, "kind"))));
        // Several merged mappings: the mapping's own keys win wherever they stand, then the earlier merged mapping.
        var merged = Map(Yaml.Load("""
            a: &a {k: a, only-a: "1"}
            b: &b {k: b, only-b: "2"}
            c:
              own: here
              <<: [*a, *b]
            d:
              k: own
              <<: *a
            n: ~
            q: "null"
            """), "merged");
        Assert.Equal(("a", "1", "2", "here"), (Str(At(merged, "c", "k")), Str(At(merged, "c", "only-a")), Str(At(merged, "c", "only-b")), Str(At(merged, "c", "own"))));
        Assert.Equal("own", Str(At(merged, "d", "k")));
        Assert.Null(merged["n"]);
        Assert.Equal("null", merged["q"]);
    }

    // ------------------------------------------------------------------ helpers
    private static IConfiguration Configure(IReadOnlyDictionary<string, EnvValue> env, string? jsonFile = null)
    {
        var builder = new ConfigurationBuilder();
        if (jsonFile is not null) builder.AddJsonFile(jsonFile);
        return builder.AddInMemoryCollection(env
            .Where(kv => !AllowListed(kv.Key))
            .Select(kv => new KeyValuePair<string, string?>(kv.Key.Replace("__", ":"),
                kv.Value.Source is Source.Literal or Source.ConfigMap or Source.Image ? kv.Value.Value : "placeholder-from-a-secret-store-0123456789")))
            .Build();
    }

    /// <summary>The port of the first URL in Urls, which must listen on every interface (not appsettings.json's 127.0.0.1).</summary>
    private static int ListenPort(string where, string? urls)
    {
        Assert.False(string.IsNullOrEmpty(urls), $"{where}: Urls is not set (appsettings.json binds 127.0.0.1, unreachable from outside a container)");
        var url = new Uri(urls!.Split(';')[0].Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0"));
        Assert.True(IPAddress.TryParse(url.Host.Trim('[', ']'), out var host) && (host.Equals(IPAddress.Any) || host.Equals(IPAddress.IPv6Any)),
            $"{where}: Urls {urls} must listen on every interface");
        return url.Port;
    }

    private static Dictionary<string, int> ContainerPorts(Dictionary<string, object?> container) =>
        Seq(container.GetValueOrDefault("ports")).Select(p => Map(p, "port"))
            .ToDictionary(p => Str(p.GetValueOrDefault("name")) ?? Str(p["containerPort"])!, p => int.Parse(Str(p["containerPort"])!));

    private static int ResolvePort(object? port, Dictionary<string, int> containerPorts) =>
        int.TryParse(Str(port), out var number) ? number
        : containerPorts.TryGetValue(Str(port) ?? "", out number) ? number
        : throw new Xunit.Sdk.XunitException($"port '{Str(port)}' names no container port");

    private static bool Selects(object? selector, Dictionary<string, object?> labels) =>
        selector is Dictionary<string, object?> { Count: > 0 } wanted
        && wanted.All(kv => labels.TryGetValue(kv.Key, out var v) && Str(v) == Str(kv.Value));

    private static TimeSpan ParseDuration(string? compose)
    {
        var m = Regex.Match(compose ?? "", @"^(\d+)(s|m)$");
        Assert.True(m.Success, $"unsupported duration '{compose}'");
        var n = int.Parse(m.Groups[1].Value);
        return m.Groups[2].Value == "s" ? TimeSpan.FromSeconds(n) : TimeSpan.FromMinutes(n);
    }

    /// <summary>The project file and every project it references, transitively, relative to the repo root with '/'.</summary>
    private static IEnumerable<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(new[] { project });
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current)) continue;
            var dir = Path.GetDirectoryName(Path.Combine(RepoRoot, current))!;
            foreach (Match m in Regex.Matches(Read(current), @"<ProjectReference\s+Include=""([^""]+)"""))
                pending.Push(Path.GetRelativePath(RepoRoot, Path.GetFullPath(Path.Combine(dir, m.Groups[1].Value.Replace('\\', '/')))).Replace('\\', '/'));
        }
        return seen;
    }
}
