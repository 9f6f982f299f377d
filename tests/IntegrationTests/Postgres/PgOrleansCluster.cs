using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;
using Sanmenxia.Persistence;
using Sanmenxia.Persistence.Reminders;
using Sanmenxia.Platform.Options;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>
/// Builds an in-process Orleans test cluster whose membership, grain state and reminders all go
/// through the stock ADO.NET providers to our PostgreSQL schema (reminders optionally through our group-commit
/// table, <see cref="BatchingReminderTable"/>, on the same schema).
/// </summary>
internal static class PgOrleansCluster
{
    private const string ConnectionStringKey = "PgTest:ConnectionString";
    private const string RemindersKey = "PgTest:Reminders";

    public static async Task<TestCluster> StartAsync(string connectionString, string serviceId, string clusterId, short silos = 2,
        ReminderTableMode reminders = ReminderTableMode.AdoNet)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.UseTestClusterMembership = false; // use the ADO.NET membership table instead
        builder.Options.ConfigureFileLogging = false;
        builder.Options.ServiceId = serviceId;
        builder.Options.ClusterId = clusterId;
        builder.Properties[ConnectionStringKey] = connectionString;
        builder.Properties[RemindersKey] = reminders.ToString();
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    private static string ConnectionString(IConfiguration configuration) =>
        configuration[ConnectionStringKey] ?? throw new InvalidOperationException($"{ConnectionStringKey} not configured.");

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var connectionString = ConnectionString(silo.Configuration);
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresOptions.Invariant;
                o.ConnectionString = connectionString;
            });
            silo.AddAdoNetGrainStorage(PgProbeGrain.StorageName, (OptionsBuilder<AdoNetGrainStorageOptions> ob) =>
                ob.Configure<Serializer>((o, serializer) =>
                {
                    o.Invariant = PostgresOptions.Invariant;
                    o.ConnectionString = connectionString;
                    // Orleans' binary serializer, not the Newtonsoft default.
                    o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                }));
            if (silo.Configuration[RemindersKey] == nameof(ReminderTableMode.Batched))
            {
                silo.AddReminders();
                silo.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
                silo.Services.AddSingleton<IReminderTable>(services => new BatchingReminderTable(
                    services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId, new BatchingReminderTableOptions(),
                    services.GetRequiredService<NpgsqlDataSource>(), NullLogger<BatchingReminderTable>.Instance));
            }
            else
            {
                silo.UseAdoNetReminderService(o =>
                {
                    o.Invariant = PostgresOptions.Invariant;
                    o.ConnectionString = connectionString;
                });
            }
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder client) =>
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresOptions.Invariant;
                o.ConnectionString = ConnectionString(configuration);
            });
    }
}
