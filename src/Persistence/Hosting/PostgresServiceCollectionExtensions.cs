using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Serialization;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Residents;

namespace Sanmenxia.Persistence.Hosting;

public static class PostgresServiceCollectionExtensions
{
    /// <summary>
    /// The process's one <see cref="NpgsqlDataSource"/> (one connection pool, counted once against PostgreSQL's
    /// max_connections) and the durable stores on it: audit log, checkpoint passes, region history, village roster.
    /// Registered once however many hosts in the process ask (the API co-hosting a silo asks twice). Each store is
    /// created when first resolved, so a process pays only for the stores it uses.
    /// </summary>
    public static IServiceCollection AddSanmenxiaPostgresStores(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = PostgresOptions.RequireConnectionString(configuration);
        services.TryAddSingleton(_ =>
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            // The writers' statements are constant: let Npgsql prepare them once per connection.
            if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0) builder.ConnectionStringBuilder.MaxAutoPrepare = 16;
            builder.ConnectionStringBuilder.ApplicationName ??= "sanmenxia";
            // No session state is left on a pooled connection (no SET without RESET, no temp tables, LISTEN or session
            // advisory locks; the audit writer resets its role in a finally), so Npgsql's reset statements on every
            // return to the pool are pure cost: under load they were ~75 % of all statements PostgreSQL ran (issue 20).
            builder.ConnectionStringBuilder.NoResetOnClose = true;
            return builder.Build();
        });
        // Replace the platform's "store missing" placeholders (or the in-memory doubles) with the durable stores.
        services.Replace(ServiceDescriptor.Singleton<IAuditLog>(sp =>
            new PostgresAuditLog(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ILogger<PostgresAuditLog>>())));
        services.Replace(ServiceDescriptor.Singleton<IPassStore>(sp =>
            new PostgresPassStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ILogger<PostgresPassStore>>())));
        services.Replace(ServiceDescriptor.Singleton<IRegionHistory>(sp =>
            new PostgresRegionHistory(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ILogger<PostgresRegionHistory>>())));
        services.Replace(ServiceDescriptor.Singleton<IVillageRoster>(sp =>
            new PostgresVillageRoster(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<Serializer<ResidentSummary>>(),
                sp.GetRequiredService<ILogger<PostgresVillageRoster>>())));
        services.Replace(ServiceDescriptor.Singleton<ITicketStore>(sp =>
            new PostgresTicketStore(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ILogger<PostgresTicketStore>>())));
        services.Replace(ServiceDescriptor.Singleton<IRetentionStore>(sp => new PostgresRetentionStore(sp.GetRequiredService<NpgsqlDataSource>())));
        services.Replace(ServiceDescriptor.Singleton<ICodeSigningKeyStore>(sp => new PostgresCodeSigningKeyStore(sp.GetRequiredService<NpgsqlDataSource>())));
        services.Replace(ServiceDescriptor.Singleton<IVillageContactStore>(sp => new PostgresVillageContactStore(sp.GetRequiredService<NpgsqlDataSource>())));
        services.Replace(ServiceDescriptor.Singleton<ITokenRevocationStore>(sp => new PostgresTokenRevocationStore(sp.GetRequiredService<NpgsqlDataSource>())));
        return services;
    }
}
