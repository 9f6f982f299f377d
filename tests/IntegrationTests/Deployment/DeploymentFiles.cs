using System.Text.Json;
using System.Text.RegularExpressions;

namespace Sanmenxia.IntegrationTests.Deployment;

public enum Role { Silo, Api, Migrate }

/// <summary>Where an environment variable's value comes from.</summary>
public enum Source { Literal, ComposeInterpolation, SecretKey, ConfigMap, FieldRef, Image }

public sealed record EnvValue(Source Source, string? Value, string? RefName = null, string? RefKey = null);

/// <summary>One Sanmenxia container of a deployment file: a compose service or a Kubernetes pod's container.</summary>
public sealed record AppContainer(
    string Where, Role Role, Dockerfile Image, IReadOnlyDictionary<string, EnvValue> Env,
    IReadOnlyList<string> Command, Dictionary<string, object?> Definition, Dictionary<string, object?>? PodSpec)
{
    /// <summary>The container's own settings over the image's ENV defaults.</summary>
    public IReadOnlyDictionary<string, EnvValue> EffectiveEnv
    {
        get
        {
            var all = Image.Env.ToDictionary(kv => kv.Key, kv => new EnvValue(Source.Image, kv.Value), StringComparer.Ordinal);
            foreach (var (k, v) in Env) all[k] = v;
            return all;
        }
    }

    public override string ToString() => Where;
}

/// <summary>The final stage of a Dockerfile: what a container of that image starts with.</summary>
public sealed record Dockerfile(string Name, string Text, IReadOnlyDictionary<string, string> Env, IReadOnlyList<int> Exposed,
    string? User, IReadOnlyList<string> Entrypoint, IReadOnlyList<string> Instructions)
{
    public static Dockerfile Parse(string name, string text)
    {
        var instructions = Regex.Replace(text.Replace("\r\n", "\n"), @"\\\n", " ")
            .Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        var lastFrom = instructions.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase));
        Assert.True(lastFrom >= 0, $"{name}: no FROM");
        var final = instructions.Skip(lastFrom).ToList();
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        var exposed = new List<int>();
        string? user = null;
        IReadOnlyList<string> entrypoint = [];
        foreach (var line in final)
        {
            var (op, arg) = (line.Split(' ', 2)[0].ToUpperInvariant(), line.Split(' ', 2).ElementAtOrDefault(1)?.Trim() ?? "");
            switch (op)
            {
                case "ENV":
                    foreach (Match m in Regex.Matches(arg, @"([A-Za-z_][A-Za-z0-9_]*)=(""[^""]*""|\S*)"))
                        env[m.Groups[1].Value] = m.Groups[2].Value.Trim('"');
                    break;
                case "EXPOSE":
                    exposed.AddRange(arg.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p.Split('/')[0])));
                    break;
                case "USER": user = arg; break;
                case "ENTRYPOINT":
                    Assert.True(arg.StartsWith('['), $"{name}: ENTRYPOINT must use the exec (JSON) form so signals reach the process");
                    entrypoint = JsonSerializer.Deserialize<List<string>>(arg)!;
                    break;
            }
        }
        return new Dockerfile(name, text, env, exposed, user, entrypoint, instructions);
    }
}

/// <summary>The files under docker/, read once, and the Sanmenxia containers they define.</summary>
public static class DeploymentFiles
{
    public static string RepoRoot { get; } = FindRepoRoot();
    public static string DockerDir => Path.Combine(RepoRoot, "docker");
    public static string Read(params string[] relative) => File.ReadAllText(Path.Combine([RepoRoot, .. relative]));

    public static Dockerfile SiloImage { get; } = Dockerfile.Parse("docker/silo.Dockerfile", Read("docker", "silo.Dockerfile"));
    public static Dockerfile ApiImage { get; } = Dockerfile.Parse("docker/api.Dockerfile", Read("docker", "api.Dockerfile"));
    public static Dictionary<string, object?> Compose { get; } = Map(Yaml.Load(Read("docker", "compose.yaml")), "compose.yaml");
    public static Dictionary<string, object?> ComposeServices => Map(Compose["services"], "services");

    /// <summary>Every Kubernetes object of docker/k8s/*.yaml, with the file it came from.</summary>
    public static IReadOnlyList<(string File, Dictionary<string, object?> Object)> K8s { get; } =
        Directory.GetFiles(Path.Combine(DockerDir, "k8s"), "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(f => Yaml.LoadAll(File.ReadAllText(f)).Select(d => (Path.GetFileName(f), Map(d, f))))
            .ToList();

    public static IEnumerable<Dictionary<string, object?>> K8sKind(string kind) =>
        K8s.Where(o => Str(o.Object.GetValueOrDefault("kind")) == kind).Select(o => o.Object);

    public static Dictionary<string, object?> K8sObject(string kind, string name) =>
        K8sKind(kind).SingleOrDefault(o => Str(At(o, "metadata", "name")) == name)
        ?? throw new Xunit.Sdk.XunitException($"docker/k8s: no {kind} named '{name}'");

    /// <summary>KEY=VALUE lines of docker/.env.example (the template of the compose secrets).</summary>
    public static IReadOnlyDictionary<string, string> EnvExample { get; } = Read("docker", ".env.example")
        .Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('='))
        .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..], StringComparer.Ordinal);

    public static IReadOnlyList<AppContainer> ComposeContainers { get; } = LoadComposeContainers();
    public static IReadOnlyList<AppContainer> K8sContainers { get; } = LoadK8sContainers();
    public static IEnumerable<AppContainer> AllContainers => ComposeContainers.Concat(K8sContainers);

    // ------------------------------------------------------------------ YAML helpers
    public static Dictionary<string, object?> Map(object? node, string what) =>
        node as Dictionary<string, object?> ?? throw new Xunit.Sdk.XunitException($"{what}: expected a mapping");

    public static List<object?> Seq(object? node) => node as List<object?> ?? [];

    public static string? Str(object? node) => node as string;

    public static object? At(object? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not Dictionary<string, object?> map || !map.TryGetValue(key, out node)) return null;
        }
        return node;
    }

    // ------------------------------------------------------------------ compose
    private static IReadOnlyList<AppContainer> LoadComposeContainers()
    {
        var result = new List<AppContainer>();
        foreach (var (name, node) in ComposeServices)
        {
            var service = Map(node, $"compose service {name}");
            var dockerfile = Str(At(service, "build", "dockerfile")) ?? "";
            var image = Str(service.GetValueOrDefault("image")) ?? "";
            Dockerfile? built = dockerfile.EndsWith("silo.Dockerfile", StringComparison.Ordinal) || image.StartsWith("sanmenxia/silo", StringComparison.Ordinal) ? SiloImage
                : dockerfile.EndsWith("api.Dockerfile", StringComparison.Ordinal) || image.StartsWith("sanmenxia/api", StringComparison.Ordinal) ? ApiImage
                : null;
            if (built is null) continue; // postgres, nginx: third-party images with their own variables

            var env = new Dictionary<string, EnvValue>(StringComparer.Ordinal);
            var environment = service.GetValueOrDefault("environment");
            IEnumerable<(string, string?)> pairs = environment switch
            {
                Dictionary<string, object?> map => map.Select(kv => (kv.Key, Str(kv.Value))),
                List<object?> list => list.Select(i => Str(i) ?? "").Select(i => (i.Split('=', 2)[0], i.Split('=', 2).ElementAtOrDefault(1))),
                _ => [],
            };
            foreach (var (key, value) in pairs)
                env[key] = new EnvValue(value is not null && value.Contains("${", StringComparison.Ordinal) ? Source.ComposeInterpolation : Source.Literal, value);

            var command = (service.ContainsKey("entrypoint") ? Strings(service["entrypoint"]) : built.Entrypoint)
                .Concat(Strings(service.GetValueOrDefault("command"))).ToList();
            var role = built == ApiImage ? Role.Api : command.Contains("migrate") ? Role.Migrate : Role.Silo;
            result.Add(new AppContainer($"compose service {name}", role, built, env, command, service, null));
        }
        return result;
    }

    // ------------------------------------------------------------------ Kubernetes
    private static IReadOnlyList<AppContainer> LoadK8sContainers()
    {
        var result = new List<AppContainer>();
        foreach (var (file, obj) in K8s)
        {
            var kind = Str(obj.GetValueOrDefault("kind"));
            if (kind is not ("Deployment" or "StatefulSet" or "Job" or "DaemonSet")) continue;
            var podSpec = Map(At(obj, "spec", "template", "spec"), $"{file} {kind} pod spec");
            foreach (var node in Seq(podSpec.GetValueOrDefault("initContainers")).Concat(Seq(podSpec.GetValueOrDefault("containers"))))
            {
                var container = Map(node, $"{file} container");
                var image = Str(container.GetValueOrDefault("image")) ?? "";
                Dockerfile? built = image.Contains("sanmenxia/silo", StringComparison.Ordinal) ? SiloImage
                    : image.Contains("sanmenxia/api", StringComparison.Ordinal) ? ApiImage : null;
                if (built is null) continue;

                var env = new Dictionary<string, EnvValue>(StringComparer.Ordinal);
                foreach (var from in Seq(container.GetValueOrDefault("envFrom")))
                {
                    if (Str(At(from, "configMapRef", "name")) is { } configMap)
                        foreach (var (key, value) in Map(At(K8sObject("ConfigMap", configMap), "data"), $"ConfigMap {configMap} data"))
                            env[key] = new EnvValue(Source.ConfigMap, Str(value), configMap, key);
                    if (Str(At(from, "secretRef", "name")) is { } secret)
                        foreach (var key in SecretKeys(K8sObject("Secret", secret)))
                            env[key] = new EnvValue(Source.SecretKey, null, secret, key);
                }
                foreach (var item in Seq(container.GetValueOrDefault("env")))
                {
                    var name = Str(At(item, "name")) ?? throw new Xunit.Sdk.XunitException($"{file}: env item without a name");
                    env[name] = At(item, "valueFrom") switch
                    {
                        null => new EnvValue(Source.Literal, Str(At(item, "value"))),
                        var v when At(v, "secretKeyRef") is { } s => new EnvValue(Source.SecretKey, null, Str(At(s, "name")), Str(At(s, "key"))),
                        var v when At(v, "configMapKeyRef") is { } c => new EnvValue(Source.ConfigMap,
                            Str(At(K8sObject("ConfigMap", Str(At(c, "name"))!), "data", Str(At(c, "key"))!)), Str(At(c, "name")), Str(At(c, "key"))),
                        var v when At(v, "fieldRef") is { } f => new EnvValue(Source.FieldRef, Str(At(f, "fieldPath"))),
                        _ => throw new Xunit.Sdk.XunitException($"{file}: env {name} has an unknown valueFrom"),
                    };
                }
                var command = (container.ContainsKey("command") ? Strings(container["command"]) : built.Entrypoint)
                    .Concat(Strings(container.GetValueOrDefault("args"))).ToList();
                var role = built == ApiImage ? Role.Api : command.Contains("migrate") ? Role.Migrate : Role.Silo;
                var where = $"k8s/{file} {kind} {Str(At(obj, "metadata", "name"))} container {Str(container.GetValueOrDefault("name"))}";
                result.Add(new AppContainer(where, role, built, env, command, container, podSpec));
            }
        }
        return result;
    }

    public static IEnumerable<string> SecretKeys(Dictionary<string, object?> secret) =>
        ((At(secret, "stringData") as Dictionary<string, object?>)?.Keys ?? Enumerable.Empty<string>())
        .Concat((At(secret, "data") as Dictionary<string, object?>)?.Keys ?? Enumerable.Empty<string>());

    public static List<string> Strings(object? node) => node switch
    {
        null => [],
        string s => [.. s.Split(' ', StringSplitOptions.RemoveEmptyEntries)],
        List<object?> list => list.Select(i => Str(i) ?? "").ToList(),
        _ => throw new Xunit.Sdk.XunitException("expected a string or a list of strings"),
    };

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sanmenxia.Orleans.sln"))) return dir.FullName;
        throw new InvalidOperationException($"Sanmenxia.Orleans.sln not found above {AppContext.BaseDirectory}");
    }
}
