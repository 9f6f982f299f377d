using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;
using Xunit;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>The stock Orleans ADO.NET providers, unmodified, against our own schema.</summary>
[Collection(PostgresCollection.Name)]
public sealed class OrleansProvidersTests(PostgresFixture fixture)
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Both_silos_join_as_active_in_the_membership_table()
    {
        var db = await fixture.NewMigratedDatabaseAsync("orl_membership");
        await using var cluster = await PgOrleansCluster.StartAsync(db, NewId("svc"), NewId("cluster"));

        var active = await Eventually.Until(
            () => CountAsync(db, "SELECT count(*) FROM orleans_membership WHERE deployment_id = $1 AND status = 3", cluster.Options.ClusterId),
            n => n == 2, s_deadline, "both silos to be Active in orleans_membership");

        Assert.Equal(2, active);
        // Times arrive as UTC DateTimes and land as the right instants, whatever the server's TimeZone
        // (the test server runs in Asia/Shanghai to catch a silent 8-hour shift).
        Assert.Equal(2, await CountAsync(db,
            "SELECT count(*) FROM orleans_membership WHERE deployment_id = $1 AND abs(extract(epoch FROM now() - i_am_alive_time)) < 120 AND abs(extract(epoch FROM now() - start_time)) < 120",
            cluster.Options.ClusterId));
        // Grain calls across the cluster work through the ADO.NET gateway list.
        await cluster.Client.GetGrain<IPgProbeGrain>("membership").Set("x");
    }

    [Fact]
    public async Task Grain_state_survives_a_whole_cluster_restart_and_a_PostgreSQL_restart()
    {
        var db = await fixture.NewMigratedDatabaseAsync("orl_state");
        var serviceId = NewId("svc");
        var clusterId = NewId("cluster");

        await using (var first = await PgOrleansCluster.StartAsync(db, serviceId, clusterId))
        {
            await first.Client.GetGrain<IPgProbeGrain>("resident-1").Set("green");

            // Providers must ride through a database restart (pools are cleared; new connections).
            await fixture.Server.RestartAsync();
            await first.Client.GetGrain<IPgProbeGrain>("resident-1").Set("yellow");

            await first.StopAllSilosAsync();
        }
        Assert.Equal(2, await CountAsync(db, "SELECT max(version) FROM orleans_grain_state WHERE service_id = $1", serviceId));

        await using var second = await PgOrleansCluster.StartAsync(db, serviceId, clusterId);
        Assert.Equal("yellow", await second.Client.GetGrain<IPgProbeGrain>("resident-1").Get());
    }

    [Fact]
    public async Task Writes_with_a_stale_etag_are_rejected()
    {
        var db = await fixture.NewMigratedDatabaseAsync("orl_etag");
        await using var cluster = await PgOrleansCluster.StartAsync(db, NewId("svc"), NewId("cluster"), silos: 1);
        var silo = (InProcessSiloHandle)cluster.GetActiveSilos().First();
        var storage = silo.ServiceProvider.GetRequiredKeyedService<IGrainStorage>(PgProbeGrain.StorageName);
        const string grainType = "pgprobe";
        var grainId = GrainId.Create(grainType, "etag-1");

        // Two readers of a grain that has no row yet: the first insert wins, the second conflicts.
        var a = new GrainState<PgProbeState>(new PgProbeState());
        var b = new GrainState<PgProbeState>(new PgProbeState());
        await storage.ReadStateAsync(grainType, grainId, a);
        await storage.ReadStateAsync(grainType, grainId, b);
        Assert.Null(a.ETag);
        a.State!.Value = "a";
        await storage.WriteStateAsync(grainType, grainId, a);
        Assert.Equal("1", a.ETag);
        b.State!.Value = "b";
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(grainType, grainId, b));

        // Update path: both hold ETag 1; after one writes, the other's write and clear conflict.
        var c = new GrainState<PgProbeState>(new PgProbeState());
        await storage.ReadStateAsync(grainType, grainId, c);
        Assert.Equal("1", c.ETag);
        Assert.Equal("a", c.State!.Value);
        await storage.WriteStateAsync(grainType, grainId, a);
        Assert.Equal("2", a.ETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(grainType, grainId, c));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(grainType, grainId, c));

        // Clear with the current ETag works, keeps the row and bumps its version.
        await storage.ClearStateAsync(grainType, grainId, a);
        Assert.Equal("3", a.ETag);
        var d = new GrainState<PgProbeState>(new PgProbeState());
        await storage.ReadStateAsync(grainType, grainId, d);
        Assert.False(d.RecordExists);
        Assert.Equal("3", d.ETag);
        Assert.Null(d.State!.Value);
    }

    [Fact]
    public async Task First_writes_race_on_integer_keys_too()
    {
        // Integer and GUID keys have no string part (NULL in the key): the unique key must still
        // treat two such rows as the same grain, or both inserts would "win".
        var db = await fixture.NewMigratedDatabaseAsync("orl_intkey");
        await using var cluster = await PgOrleansCluster.StartAsync(db, NewId("svc"), NewId("cluster"), silos: 1);
        var silo = (InProcessSiloHandle)cluster.GetActiveSilos().First();
        var storage = silo.ServiceProvider.GetRequiredKeyedService<IGrainStorage>(PgProbeGrain.StorageName);
        const string grainType = "pgprobe";
        var grainId = GrainId.Create(GrainType.Create(grainType), GrainIdKeyExtensions.CreateIntegerKey(42));

        var a = new GrainState<PgProbeState>(new PgProbeState { Value = "a" });
        var b = new GrainState<PgProbeState>(new PgProbeState { Value = "b" });
        await storage.WriteStateAsync(grainType, grainId, a);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(grainType, grainId, b));

        Assert.Equal(1, await CountAsync(db, "SELECT count(*) FROM orleans_grain_state WHERE grain_id_extension IS NULL AND grain_id_n1 = 42 AND grain_type = $1", grainType));
        var read = new GrainState<PgProbeState>(new PgProbeState());
        await storage.ReadStateAsync(grainType, grainId, read);
        Assert.Equal("a", read.State!.Value);
    }

    [Fact]
    public async Task A_reminder_is_stored_fires_and_is_removed()
    {
        var db = await fixture.NewMigratedDatabaseAsync("orl_reminder");
        var serviceId = NewId("svc");
        await using var cluster = await PgOrleansCluster.StartAsync(db, serviceId, NewId("cluster"));
        var grain = cluster.Client.GetGrain<IPgProbeGrain>("reminder-1");

        await grain.StartReminder(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        Assert.Equal(1, await CountAsync(db,
            $"SELECT count(*) FROM orleans_reminder WHERE service_id = $1 AND reminder_name = '{PgProbeGrain.ReminderName}' AND period_ms = 2000 AND abs(extract(epoch FROM now() - start_time)) < 120",
            serviceId));
        await Eventually.Until(grain.GetTicks, ticks => ticks >= 1, s_deadline, "the reminder to tick");

        await grain.StopReminder();
        Assert.Equal(0, await CountAsync(db, "SELECT count(*) FROM orleans_reminder WHERE service_id = $1", serviceId));
    }

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private static async Task<int> CountAsync(string connectionString, string sql, string parameter)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = parameter });
        return Convert.ToInt32(await command.ExecuteScalarAsync() is var v and not DBNull ? v : 0);
    }
}
