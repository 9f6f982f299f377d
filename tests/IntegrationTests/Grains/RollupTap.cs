using Sanmenxia.Villages;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// Test-only view of one node's reports to its parent, shared by the silos of a test cluster: every report of the
/// watched node (<see cref="IRegionGrain.ReportChildAsync"/>) is recorded with the activation and silo that sent it and
/// whether the parent took it; while <see cref="Refusing"/> the reports fail before they leave. A silo marked
/// <see cref="Crash"/>ed sends no grain call at all from then on, as a SIGKILLed process sends nothing (an in-process
/// test silo that is "killed" still runs its grains' OnDeactivateAsync, whose calls a real crash never makes).
/// </summary>
public sealed class RollupTap
{
    private readonly object _gate = new();
    private readonly List<Report> _reports = [];
    private readonly HashSet<SiloAddress> _crashed = [];
    private string? _watched;

    /// <summary>A report of the watched node: who sent it, what it carried, and whether the parent took it.</summary>
    public sealed record Report(ActivationId Activation, SiloAddress Silo, RegionCounts Counts, bool Delivered);

    /// <summary>Whether the watched node's reports fail before they leave.</summary>
    public bool Refusing { get; set; }

    public void Watch(string childCode)
    {
        lock (_gate)
        {
            _watched = childCode;
            _reports.Clear();
        }
    }

    public void Crash(SiloAddress silo)
    {
        lock (_gate) _crashed.Add(silo);
    }

    public IReadOnlyList<Report> Reports()
    {
        lock (_gate) return _reports.ToList();
    }

    /// <summary>The filter of one silo.</summary>
    public sealed class Filter(RollupTap tap, ILocalSiloDetails local) : IOutgoingGrainCallFilter
    {
        public async Task Invoke(IOutgoingGrainCallContext context)
        {
            lock (tap._gate)
            {
                if (tap._crashed.Contains(local.SiloAddress)) throw new SiloUnavailableException("test: this silo has crashed");
            }
            if (context.InterfaceMethod?.DeclaringType != typeof(IRegionGrain) || context.InterfaceMethod.Name != nameof(IRegionGrain.ReportChildAsync)
                || context.Request.GetArgument(0) is not string child || context.Request.GetArgument(1) is not RegionCounts counts
                || context.SourceContext is not { } source || child != tap._watched)
            {
                await context.Invoke();
                return;
            }
            if (tap.Refusing)
            {
                lock (tap._gate) tap._reports.Add(new Report(source.ActivationId, local.SiloAddress, counts, false));
                throw new SiloUnavailableException("test: the parent's silo is unavailable");
            }
            await context.Invoke();
            lock (tap._gate) tap._reports.Add(new Report(source.ActivationId, local.SiloAddress, counts, true));
        }
    }
}
