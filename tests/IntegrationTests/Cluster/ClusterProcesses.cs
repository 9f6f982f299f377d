using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.Silo.Hosting;

namespace Sanmenxia.IntegrationTests.Cluster;

/// <summary>The secrets every process of one test cluster shares.</summary>
internal sealed record NodeSecrets(string SigningKey, string KeySecret);


/// <summary>An Orleans client of a PostgreSQL-clustered test cluster, as the API process builds one.</summary>
internal static class ClusterClient
{
    public static async Task<IHost> StartAsync(string connectionString, string clusterId)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = clusterId; o.ServiceId = clusterId; });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2));
            client.Services.AddSanmenxiaExceptionSerialization();
            client.UseAdoNetClustering(o => { o.Invariant = "Npgsql"; o.ConnectionString = connectionString; });
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}

/// <summary>A silo or API as its own OS process (`dotnet Sanmenxia.Silo.dll` / `Sanmenxia.Api.dll` from the test's output folder).</summary>
internal sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private NodeProcess(string name, Process process, int port) => (Name, _process, Port) = (name, process, port);

    public string Name { get; }
    /// <summary>The silo port of a silo, the HTTP port of an API.</summary>
    public int Port { get; }
    public bool HasExited => _process.HasExited;
    public int Pid => _process.Id;
    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public static NodeProcess StartSilo(string name, string connectionString, string clusterId, NodeSecrets secrets,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        var siloPort = ApiFactory.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Orleans__SiloPort"] = siloPort.ToString(),
            ["Orleans__GatewayPort"] = ApiFactory.FreePort().ToString(),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) environment[key] = value;
        return Start(name, "Sanmenxia.Silo.dll", siloPort, connectionString, clusterId, secrets, environment);
    }

    public static NodeProcess StartApi(string name, int httpPort, string connectionString, string clusterId, NodeSecrets secrets, string adminPassword) =>
        Start(name, "Sanmenxia.Api.dll", httpPort, connectionString, clusterId, secrets, new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Urls"] = $"http://127.0.0.1:{httpPort}",
            ["Auth__SigningKey"] = secrets.SigningKey,
            ["Auth__BootstrapAdminPassword"] = adminPassword,
        });

    private static NodeProcess Start(string name, string dllName, int port, string connectionString, string clusterId, NodeSecrets secrets, Dictionary<string, string> environment)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, dllName);
        Assert.True(File.Exists(dll), $"{dll} not found: the test project builds it through its reference to the API.");
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        psi.ArgumentList.Add(dll);
        psi.Environment["Postgres__ConnectionString"] = connectionString;
        psi.Environment["Orleans__ClusterId"] = clusterId;
        psi.Environment["Orleans__ServiceId"] = clusterId;
        psi.Environment["Privacy__KeySecret"] = secrets.KeySecret;
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["Logging__LogLevel__Sanmenxia.Grains.Dashboard"] = "Debug";
        psi.Environment["Logging__LogLevel__Sanmenxia.Api.Dashboard"] = "Information";
        psi.Environment["Logging__Console__FormatterName"] = "simple";
        psi.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        psi.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start dotnet");
        var node = new NodeProcess(name, process, port);
        process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 2000) _output.TryDequeue(out _);
    }

    public IReadOnlyList<string> Lines() => _output.ToArray();
    public string Tail() => $"--- {Name} (pid {_process.Id}{(_process.HasExited ? ", exited" : "")}):\n  " + string.Join("\n  ", _output.TakeLast(200));

    /// <summary>SIGKILL: no goodbye to the cluster.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, as ./sanmenxia and Kubernetes stop a process: the host shuts down gracefully.</summary>
    public async Task TerminateAsync(TimeSpan limit)
    {
        Assert.Equal(0, SysKill(_process.Id, 15));
        using var timeout = new CancellationTokenSource(limit);
        await _process.WaitForExitAsync(timeout.Token);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
