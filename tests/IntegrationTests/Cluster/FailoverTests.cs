using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Configuration;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.IntegrationTests.Postgres;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Silo.Hosting;
using Sanmenxia.Villages;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Cluster;

/// <summary>
/// A real failover: three silo <em>processes</em> (the built Sanmenxia.Silo.dll) on the fixture's PostgreSQL, an
/// Orleans client in the test writing needs (unique acknowledged writes) while one silo is SIGKILLed. No acknowledged
/// write may be lost, the membership must declare the dead silo, and writes must succeed again within 30 s.
/// The full drill with HTTP, PostgreSQL restarts and rolling restarts is ./sanmenxia chaos.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FailoverTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly RegionInfo Village = SanmenxiaRegions.GenerateSyntheticTree(2020, 12).First(r => r.Level == RegionLevel.Village);
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(30);
    private readonly List<NodeProcess> _silos = [];
    private IHost? _client;

    [Fact]
    public async Task A_SIGKILLed_silo_loses_no_acknowledged_write_and_writes_resume_within_30_seconds()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("failover");
        var clusterId = "failover-" + Guid.NewGuid().ToString("N")[..8];
        var secrets = new NodeSecrets("failover-test-signing-key-0123456789abcdef", "failover-test-key-secret-0123456789");
        for (var i = 0; i < 3; i++) _silos.Add(NodeProcess.StartSilo($"silo-{i}", connectionString, clusterId, secrets));
        await WaitForActiveSilosAsync(connectionString, clusterId, 3, TimeSpan.FromSeconds(60));

        _client = await ClusterClient.StartAsync(connectionString, clusterId);
        var grains = _client.Services.GetRequiredService<IClusterClient>();
        await grains.GetGrain<IVillageGrain>(Village.Code.Value).DefineAsync(Village);
        var keys = Enumerable.Range(0, 24).Select(i => "r" + Guid.NewGuid().ToString("N")[..26]).ToList();
        await Task.WhenAll(keys.Select((key, i) => grains.GetGrain<IResidentGrain>(key).RegisterAsync(new ResidentRegistration(
            Sanmenxia.Identity.ResidentIdNumber.Create("411202", new DateOnly(1970, 1, 1).AddDays(i), 100 + i).Value,
            "故障" + i, null, Village.Code.Value, "h-failover-" + i, Actor.Staff("test", "admin")))));

        // Eight writers, each with its own residents, one write at a time, until told to stop.
        var clock = Stopwatch.StartNew();
        var acknowledged = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        var samples = new ConcurrentQueue<(TimeSpan Start, TimeSpan End, bool Ok)>();
        using var stop = new CancellationTokenSource();
        // When each writer's current call started (MaxValue while between calls): calls still hanging on the dead
        // silo must resolve before the cluster counts as recovered.
        var inFlightSince = Enumerable.Repeat(long.MaxValue, 8).ToArray();
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var mine = keys.Where((_, i) => i % 8 == w).ToList();
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var key = mine[n % mine.Count];
                var detail = $"need-{w}-{n}";
                var start = clock.Elapsed;
                Interlocked.Exchange(ref inFlightSince[w], start.Ticks);
                try
                {
                    await grains.GetGrain<IResidentGrain>(key).AddNeedAsync(NeedKind.Other, detail, Actor.Self(key));
                    acknowledged.GetOrAdd(key, _ => []).Add(detail);
                    samples.Enqueue((start, clock.Elapsed, true));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // Not acknowledged: nothing is promised about this need. Pace the retry like a real caller.
                    samples.Enqueue((start, clock.Elapsed, false));
                    Interlocked.Exchange(ref inFlightSince[w], long.MaxValue);
                    await Task.Delay(100);
                }
                Interlocked.Exchange(ref inFlightSince[w], long.MaxValue);
            }
        })).ToList();

        await Eventually.Until(() => samples.Count(s => s.Ok) >= 100, TimeSpan.FromSeconds(20), "writes before the kill");
        var victim = _silos[2];
        var killedAt = clock.Elapsed;
        victim.Kill();

        // Keep writing until the cluster is healthy again: no call hanging for more than a second (calls sent to the
        // dead silo first wait out their timeout and fail), and 20 writes acknowledged since the last failure ended.
        await Eventually.Until(() =>
        {
            var now = clock.Elapsed;
            var hanging = inFlightSince.Any(t => t != long.MaxValue && now - TimeSpan.FromTicks(Interlocked.Read(ref t)) > TimeSpan.FromSeconds(1));
            var after = samples.Where(s => s.Start >= killedAt).ToList();
            var lastFailure = after.Where(s => !s.Ok).Select(s => s.End).DefaultIfEmpty(killedAt).Max();
            return !hanging && now - killedAt >= TimeSpan.FromSeconds(2) && after.Count(s => s.Ok && s.Start >= lastFailure) >= 20;
        }, RecoveryLimit + TimeSpan.FromSeconds(10), "writes to succeed again after the kill");
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        // Failures are confined to the failover window: every call that failed had started within the recovery limit
        // (a call still in flight to the dead silo when the drill stopped may fail after its timeout; it started early),
        // and calls succeed after the kill.
        var all = samples.ToList();
        var failures = all.Where(s => !s.Ok && s.Start >= killedAt).ToList();
        var lastFailureStart = failures.Count == 0 ? killedAt : failures.Max(f => f.Start);
        Assert.True(lastFailureStart - killedAt <= RecoveryLimit, $"a write started {(lastFailureStart - killedAt).TotalSeconds:0.0} s after the kill still failed");
        Assert.True(all.Any(s => s.Ok && s.Start >= lastFailureStart),
            $"kill at {killedAt.TotalSeconds:0.00}s; failures (start-end): {string.Join(", ", failures.Select(f => $"{f.Start.TotalSeconds:0.00}-{f.End.TotalSeconds:0.00}"))}; last ok start {all.Where(x => x.Ok).Max(x => x.Start).TotalSeconds:0.00}s");

        await Eventually.Until(async () => (await MembershipAsync(connectionString, clusterId))
            .Any(m => m.Port == victim.Port && m.Status == 6), RecoveryLimit, "the membership table to declare the killed silo dead");

        // Every acknowledged need is in the store (read through the survivors, reactivating the dead silo's grains).
        var lost = new List<string>();
        foreach (var key in keys)
        {
            var overview = await grains.GetGrain<IResidentGrain>(key).GetOverviewAsync();
            Assert.NotNull(overview);
            var stored = overview.Needs.Select(n => n.Detail).ToHashSet();
            lost.AddRange(acknowledged.GetValueOrDefault(key, []).Where(d => !stored.Contains(d)).Select(d => $"{key}:{d}"));
        }
        Assert.True(acknowledged.Values.Sum(b => b.Count) >= 100);
        Assert.Empty(lost);
    }

    private static async Task WaitForActiveSilosAsync(string connectionString, string clusterId, int count, TimeSpan timeout) =>
        await Eventually.Until(async () => (await MembershipAsync(connectionString, clusterId)).Count(m => m.Status == 3) >= count,
            timeout, $"{count} silo processes to be Active");

    private static async Task<List<(int Port, int Status)>> MembershipAsync(string connectionString, string clusterId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT port, status FROM orleans_membership WHERE deployment_id = @d", connection);
        command.Parameters.AddWithValue("d", clusterId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(int, int)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetInt32(0), reader.GetInt32(1)));
        return rows;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            try { await _client.StopAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { /* the cluster is being torn down */ }
            _client.Dispose();
        }
        foreach (var silo in _silos) silo.Dispose();
    }
}
