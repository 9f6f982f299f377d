using Microsoft.Extensions.Options;
using Sanmenxia.Dashboard;

namespace Sanmenxia.Api.Dashboard;

/// <summary>Settings of the dashboard push path, section "Dashboard".</summary>
public sealed class DashboardOptions
{
    public const string Section = "Dashboard";
    /// <summary>How often this process renews its observer registration (and re-registers after a silo restart).</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>How long a registration lives without renewal: a crashed API process drops out after this.</summary>
    public TimeSpan RegistrationLifetime { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// Registers this process's <see cref="DashboardObserver"/> with the hub-list grain and renews it on a timer
/// (registrations expire; renewal also restores the list after a silo restart). Holds the observer and its
/// reference strongly for the life of the process, as grain observers require.
/// </summary>
public sealed class DashboardRegistration(
    IGrainFactory grains, DashboardObserver observer, IOptions<DashboardOptions> options,
    IHostApplicationLifetime lifetime, ILogger<DashboardRegistration> logger) : BackgroundService
{
    /// <summary>This run of this process: a restart registers as a new process, and the old entry expires.</summary>
    public string ProcessId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    private IDashboardObserver? _reference;
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first registration succeeded (tests and readiness may wait on it).</summary>
    public Task Registered => _registered.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await started.Task.WaitAsync(stoppingToken);

        _reference = grains.CreateObjectReference<IDashboardObserver>(observer);
        var list = grains.GetGrain<IDashboardHubListGrain>(0);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = options.Value.RenewInterval;
            try
            {
                await list.RegisterAsync(ProcessId, _reference, options.Value.RegistrationLifetime);
                if (_registered.TrySetResult()) logger.LogInformation("Dashboard push registered as {Process}", ProcessId);
                failures = 0;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The cluster may be starting or a silo restarting: retry sooner than the renewal period.
                if (++failures % 10 == 1) logger.LogWarning("Dashboard push registration failed ({Error}); retrying", e.GetType().Name);
                wait = TimeSpan.FromSeconds(Math.Min(1, wait.TotalSeconds));
            }
            try { await Task.Delay(wait, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_reference is null) return;
        try
        {
            await grains.GetGrain<IDashboardHubListGrain>(0).UnregisterAsync(ProcessId).WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
        }
        catch (Exception e)
        {
            logger.LogDebug("Dashboard push unregistration skipped: {Error}", e.GetType().Name);
        }
        try
        {
            grains.DeleteObjectReference<IDashboardObserver>(_reference);
        }
        catch (ArgumentException)
        {
            // A co-hosted silo may already have released its local objects while shutting down.
        }
    }
}
