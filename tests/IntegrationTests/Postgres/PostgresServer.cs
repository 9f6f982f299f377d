using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Sanmenxia.Persistence;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>
/// A throwaway PostgreSQL server for tests: a fresh cluster (initdb) in a temp directory, listening on
/// a free loopback port only. fsync stays on so that restart tests mean something; memory is kept small.
/// When the test process runs as root (CI), the server runs as the <c>postgres</c> OS user, since
/// PostgreSQL refuses to run as root.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string SuperUser = "postgres";
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(60);

    private readonly string _binDir;
    private readonly string _rootDir;
    private readonly string _dataDir;
    private readonly string _logFile;
    private readonly bool _runAsPostgresUser;
    private bool _running;

    private PostgresServer(string binDir, string rootDir, bool runAsPostgresUser)
    {
        _binDir = binDir;
        _rootDir = rootDir;
        _dataDir = Path.Combine(rootDir, "data");
        _logFile = Path.Combine(rootDir, "postgres.log");
        _runAsPostgresUser = runAsPostgresUser;
    }

    /// <summary>TCP port on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>Connection string of the <c>postgres</c> maintenance database.</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    /// <summary>Connection string for a database on this server (it is not created).</summary>
    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Database = database,
        Pooling = true,
        MaxPoolSize = 50,
        Timeout = 15,
        // Test databases are dropped with the server; no need to keep pooled connections long.
        ConnectionIdleLifetime = 30,
    }.ConnectionString;

    /// <summary>Creates <paramref name="database"/> if missing and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string database)
    {
        var connectionString = ConnectionStringFor(database);
        await MigrationRunner.EnsureDatabaseAsync(connectionString);
        return connectionString;
    }

    /// <summary>Initialises a new cluster in a temp directory and starts it.</summary>
    public static async Task<PostgresServer> StartNewAsync()
    {
        var binDir = FindBinDir();
        var runAsPostgres = Environment.IsPrivilegedProcess;
        if (runAsPostgres && !await UserExistsAsync(SuperUser))
        {
            throw new InvalidOperationException(
                "Tests run as root, and PostgreSQL refuses to run as root, so the test server runs as the 'postgres' OS user, " +
                "which does not exist on this machine. Install the PostgreSQL server package (e.g. `apt-get install postgresql`), " +
                "which creates that user, or run the tests as a non-root user.");
        }

        var rootDir = Path.Combine(Path.GetTempPath(), "sanmenxia-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(rootDir);
        var server = new PostgresServer(binDir, rootDir, runAsPostgres);
        try
        {
            if (runAsPostgres)
            {
                await RunAsync("chown", ["-R", $"{SuperUser}:{SuperUser}", rootDir]);
            }
            // --no-sync only skips flushing the freshly created catalog; the server itself runs with fsync on.
            await server.RunPgAsync("initdb",
                ["-D", server._dataDir, "-U", SuperUser, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]);
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (after <see cref="StopAsync"/>); data is kept.</summary>
    public async Task StartAsync()
    {
        if (_running)
        {
            return;
        }
        // A free port can be taken between our probe and the server's bind: on the first start, retry
        // with another one. A restart keeps its port, since tests hold connection strings with it.
        var firstStart = Port == 0;
        for (var attempt = 1; ; attempt++)
        {
            if (firstStart)
            {
                Port = FindFreePort();
            }
            await WriteConfigAsync();
            try
            {
                // -w: pg_ctl itself polls until the postmaster reports ready (or has died); then we
                // confirm with a real connection, also polled against a deadline.
                await RunPgAsync("pg_ctl", ["-D", _dataDir, "-l", _logFile, "-w", "-t", "60", "start"]);
                await WaitUntilReadyAsync();
                _running = true;
                return;
            }
            catch (Exception) when (firstStart && attempt < 3)
            {
                await TryRunPgAsync("pg_ctl", ["-D", _dataDir, "-m", "immediate", "-w", "stop"]);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"PostgreSQL did not start on port {Port}. Log:\n{LogTail()}", ex);
            }
        }
    }

    /// <summary>Stops the server cleanly (fast shutdown: sessions are disconnected, data is flushed).</summary>
    public async Task StopAsync()
    {
        if (!_running)
        {
            return;
        }
        await RunPgAsync("pg_ctl", ["-D", _dataDir, "-m", "fast", "-w", "-t", "60", "stop"]);
        _running = false;
        // Pooled connections now point at a dead backend; drop them so the next open reconnects.
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Stops and starts the server on the same port; data is kept.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    /// <summary>Last lines of the server log, for failure messages.</summary>
    public string LogTail(int lines = 40)
    {
        try
        {
            return string.Join('\n', File.ReadLines(_logFile).TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no server log)";
        }
    }

    /// <summary>Immediate stop and removal of the data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Directory.Exists(_dataDir) && File.Exists(Path.Combine(_dataDir, "postmaster.pid")))
        {
            await TryRunPgAsync("pg_ctl", ["-D", _dataDir, "-m", "immediate", "-w", "-t", "30", "stop"]);
        }
        _running = false;
        NpgsqlConnection.ClearAllPools();
        try
        {
            Directory.Delete(_rootDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind must not fail the run.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task WriteConfigAsync()
    {
        // postgresql.auto.conf is read last, so these win over the initdb defaults.
        var settings = new Dictionary<string, string>
        {
            ["listen_addresses"] = "'127.0.0.1'",
            ["port"] = Port.ToString(CultureInfo.InvariantCulture),
            ["unix_socket_directories"] = $"'{_rootDir}'", // not /var/run/postgresql: may not exist or be ours
            ["max_connections"] = "300",
            ["shared_buffers"] = "32MB",
            ["fsync"] = "on",
            ["synchronous_commit"] = "on",
            ["full_page_writes"] = "on",
            ["timezone"] = "'Asia/Shanghai'",
            ["log_min_messages"] = "warning",
        };
        var path = Path.Combine(_dataDir, "postgresql.auto.conf");
        await File.WriteAllLinesAsync(path, settings.Select(kv => $"{kv.Key} = {kv.Value}"));
        if (_runAsPostgresUser)
        {
            // Written by root: hand it back, or the server cannot rewrite it (ALTER SYSTEM).
            await RunAsync("chown", [$"{SuperUser}:{SuperUser}", path]);
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var probe = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, Timeout = 2 }.ConnectionString;
        Exception? last = null;
        try
        {
            await Eventually.Until(async () =>
            {
                try
                {
                    await using var connection = new NpgsqlConnection(probe);
                    await connection.OpenAsync();
                    await using var command = new NpgsqlCommand("SELECT 1", connection);
                    await command.ExecuteScalarAsync();
                    return true;
                }
                catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
                {
                    last = ex;
                }
                // A server that died will never answer: fail at once rather than at the deadline.
                if (!IsPostmasterAlive())
                {
                    throw new InvalidOperationException($"PostgreSQL exited during start-up. Log:\n{LogTail()}", last);
                }
                return false;
            }, s_readyTimeout, "PostgreSQL to accept connections", TimeSpan.FromMilliseconds(50));
        }
        catch (TimeoutException timeout) when (timeout.InnerException is null)
        {
            throw new TimeoutException($"{timeout.Message} Log:\n{LogTail()}", last);
        }
    }

    private bool IsPostmasterAlive()
    {
        var pidFile = Path.Combine(_dataDir, "postmaster.pid");
        try
        {
            var first = File.ReadLines(pidFile).FirstOrDefault();
            if (!int.TryParse(first, CultureInfo.InvariantCulture, out var pid))
            {
                return true; // being written: still starting
            }
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (IOException)
        {
            return true;
        }
    }

    private Task RunPgAsync(string tool, IReadOnlyList<string> args)
    {
        var exe = Path.Combine(_binDir, tool);
        if (!_runAsPostgresUser)
        {
            return RunAsync(exe, args);
        }
        // runuser (util-linux, Debian/Ubuntu/RHEL); setpriv where runuser is missing.
        return File.Exists("/usr/sbin/runuser") || File.Exists("/sbin/runuser")
            ? RunAsync("runuser", ["-u", SuperUser, "--", exe, .. args])
            : RunAsync("setpriv", ["--reuid", SuperUser, "--regid", SuperUser, "--init-groups", "--", exe, .. args]);
    }

    private async Task TryRunPgAsync(string tool, IReadOnlyList<string> args)
    {
        try
        {
            await RunPgAsync(tool, args);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static async Task<string> RunAsync(string fileName, IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The postgres user cannot read root's home / the test's working directory.
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Cannot start {fileName}.");
        // pg_ctl start leaves the server running with our pipes inherited unless it is redirected (-l):
        // it is, so reading to the end terminates.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        var error = await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"`{fileName} {string.Join(' ', args)}` exited with {process.ExitCode}:\n{output}\n{error}");
        }
        return output;
    }

    private static async Task<bool> UserExistsAsync(string user)
    {
        try
        {
            await RunAsync("id", ["-u", user]);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string FindBinDir()
    {
        try
        {
            var psi = new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(psi);
            if (process is not null)
            {
                var dir = process.StandardOutput.ReadToEnd().Trim();
                process.WaitForExit();
                if (process.ExitCode == 0 && File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
                {
                    return dir;
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // pg_config not on PATH: fall through to the Debian layout.
        }

        const string debianRoot = "/usr/lib/postgresql";
        var candidate = Directory.Exists(debianRoot)
            ? Directory.GetDirectories(debianRoot)
                .Select(d => (Dir: Path.Combine(d, "bin"), Ok: decimal.TryParse(Path.GetFileName(d), NumberStyles.Number, CultureInfo.InvariantCulture, out var v), Version: v))
                .Where(c => c.Ok && File.Exists(Path.Combine(c.Dir, "initdb")))
                .OrderByDescending(c => c.Version)
                .Select(c => c.Dir)
                .FirstOrDefault()
            : null;
        return candidate ?? throw new InvalidOperationException(
            "PostgreSQL server binaries not found (no `pg_config --bindir`, nothing in /usr/lib/postgresql/*/bin). " +
            "Install the PostgreSQL server package, e.g. `apt-get install postgresql`.");
    }

    private static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
