using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Orleans.Runtime;
using Sanmenxia.Platform.Options;

namespace Sanmenxia.Api.Hosting;

public static class HealthSetup
{
    /// <summary>Checks that decide whether this API instance takes traffic (/health/ready).</summary>
    public const string Ready = "ready";
    /// <summary>Checks an operator looks at (/health/dependencies): the cluster and PostgreSQL.</summary>
    public const string Dependencies = "dependencies";

    public static IServiceCollection AddSanmenxiaHealth(this IServiceCollection services, IConfiguration configuration)
    {
        var checks = services.AddHealthChecks()
            .AddCheck<ClusterHealthCheck>("cluster", tags: [Ready, Dependencies]);
        var cluster = SanmenxiaClusterOptions.From(configuration);
        // Not part of readiness: a PostgreSQL blip would turn every API pod not-ready at once, and the ingress would answer
        // 503 without Retry-After. The API stays ready and answers 503 + Retry-After itself while the store is down
        // (ProblemSetup); operators look at /health/dependencies.
        if (cluster.Providers == ProviderMode.Postgres)
            checks.AddCheck<DatabaseHealthCheck>("database", tags: [Dependencies]);
        return services;
    }

    public static IEndpointRouteBuilder MapSanmenxiaHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", Report(Ready)).AllowAnonymous();
        app.MapHealthChecks("/health/dependencies", Report(Dependencies)).AllowAnonymous();
        return app;
    }

    private static Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions Report(string tag) => new()
    {
        Predicate = c => c.Tags.Contains(tag),
        ResponseWriter = async (http, report) =>
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsJsonAsync(new
            {
                status = report.Status.ToString(),
                checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
            });
        },
    };
}

/// <summary>Ready when a grain call round-trips through the cluster.</summary>
internal sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(3), ct);
            return hosts.Count > 0 ? HealthCheckResult.Healthy($"{hosts.Count} active silo(s)") : HealthCheckResult.Unhealthy("no active silo");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"cluster unreachable: {e.GetType().Name}");
        }
    }
}

/// <summary>Ready when PostgreSQL answers a trivial query.</summary>
internal sealed class DatabaseHealthCheck(NpgsqlDataSource db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var command = db.CreateCommand("select 1");
            // A stale pooled connection (after a PostgreSQL restart) clears the pool and asks again: not a failed probe.
            await Sanmenxia.Persistence.StaleConnections.RetryOnceAsync(db, () => command.ExecuteScalarAsync(timeout.Token));
            return HealthCheckResult.Healthy("PostgreSQL answers");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL unreachable: {e.GetType().Name}");
        }
    }
}
