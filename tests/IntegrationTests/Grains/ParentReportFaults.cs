using Sanmenxia.Villages;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// Test-only fault injection on a silo's outgoing calls: while a node is named, its reports to its parent
/// (<see cref="IRegionGrain.ReportChildAsync"/>) fail with <see cref="SiloUnavailableException"/> before they leave, as
/// they do while the parent's silo is dead and not yet declared so. Every refused report is recorded with the activation
/// that sent it, so a test can tell a retry of the same activation from a push by a new one.
/// </summary>
public sealed class ParentReportFaults : IOutgoingGrainCallFilter
{
    private readonly object _gate = new();
    private string? _failing;
    private readonly List<Refused> _refused = [];

    /// <summary>A refused report: the sending activation and the counts it carried.</summary>
    public sealed record Refused(ActivationId Activation, RegionCounts Counts);

    /// <summary>Refuses every report the node <paramref name="childCode"/> sends to its parent, until <see cref="Recover"/>.</summary>
    public void Fail(string childCode)
    {
        lock (_gate)
        {
            _failing = childCode;
            _refused.Clear();
        }
    }

    public void Recover()
    {
        lock (_gate) _failing = null;
    }

    public IReadOnlyList<Refused> RefusedReports()
    {
        lock (_gate) return _refused.ToList();
    }

    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType == typeof(IRegionGrain) && context.InterfaceMethod.Name == nameof(IRegionGrain.ReportChildAsync)
            && context.Request.GetArgument(0) is string child && context.Request.GetArgument(1) is RegionCounts counts
            && context.SourceContext is { } source)
        {
            lock (_gate)
            {
                if (child == _failing)
                {
                    _refused.Add(new Refused(source.ActivationId, counts));
                    throw new SiloUnavailableException("test: the parent's silo is unavailable");
                }
            }
        }
        await context.Invoke();
    }
}
