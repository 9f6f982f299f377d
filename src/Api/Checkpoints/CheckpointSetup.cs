using Microsoft.Extensions.Options;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Platform.Time;
using Sanmenxia.HealthCode;

namespace Sanmenxia.Api.Checkpoints;

public static class CheckpointSetup
{
    /// <summary>Platform 5 in the API process: the PostgreSQL pass store (PostgreSQL mode) and the retention job.</summary>
    public static IServiceCollection AddSanmenxiaCheckpointApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<PassRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<PassRetention>());
        return services;
    }
}

/// <summary>
/// Deletes pass rows older than Checkpoints:RetentionDays (whole days, Asia/Shanghai), in bounded batches, once per
/// RetentionInterval of domain time. The per-checkpoint daily aggregates (checkpoint_daily) are kept. Safe to run in
/// every API process at once: each batch deletes what is still there.
/// </summary>
public sealed class PassRetention(IPassStore store, IOptions<CheckpointOptions> options, DomainCalendar calendar, TimeScale scale, ILogger<PassRetention> logger) : BackgroundService
{
    /// <summary>The start of the oldest day kept: RetentionDays calendar days are kept, today included.</summary>
    public DateTimeOffset Cutoff()
    {
        var today = calendar.Today;
        return calendar.EndOfDay(today.AddDays(-options.Value.RetentionDays));
    }

    /// <summary>One run: deletes every row older than the cutoff, batch by batch; returns how many.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct = default)
    {
        var cutoff = Cutoff();
        var batch = Math.Max(1, options.Value.RetentionBatchSize);
        var total = 0;
        while (!ct.IsCancellationRequested)
        {
            var deleted = await store.DeleteOlderThanAsync(cutoff, batch, ct);
            total += deleted;
            if (deleted < batch) break;
        }
        if (total > 0) logger.LogInformation("Retention deleted {Count} checkpoint pass rows before {Cutoff:O}", total, cutoff);
        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not in the start-up rush: a minute after start, then once per (simulated) interval.
        try { await Task.Delay(TimeSpan.FromMinutes(1), stoppingToken); } catch (OperationCanceledException) { return; }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Checkpoint pass retention failed, will retry next interval: {Error}", e.Message);
            }
            try { await Task.Delay(scale.ToRealDelay(options.Value.RetentionInterval), stoppingToken); } catch (OperationCanceledException) { return; }
        }
    }
}
