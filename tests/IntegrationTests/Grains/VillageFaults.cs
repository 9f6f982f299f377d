using Sanmenxia.Residents;
using Sanmenxia.Villages;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// Test-only fault injection into a silo's village grains, as a silo-wide incoming grain call filter: while a mode is on,
/// <see cref="IVillageGrain.ReportAsync"/> throws before it runs, hangs until <see cref="Recover"/>, or runs and then loses
/// its acknowledgement (throws after counting). Every report that reaches the village is recorded (resident, version).
/// One instance per silo; other village methods are untouched.
/// </summary>
public sealed class VillageFaults : IIncomingGrainCallFilter
{
    public enum Mode { None, Throw, Hang, LoseAcknowledgement }

    private readonly object _gate = new();
    private Mode _mode;
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(string Resident, long Version)> _delivered = [];

    public void Set(Mode mode)
    {
        lock (_gate)
        {
            _mode = mode;
            if (mode == Mode.Hang) _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Back to normal: hung reports go on, new ones pass.</summary>
    public void Recover()
    {
        lock (_gate)
        {
            _mode = Mode.None;
            _released.TrySetResult();
        }
    }

    /// <summary>How many times the village ran this resident's report of this version (retries included).</summary>
    public int Deliveries(string resident, long version)
    {
        lock (_gate) return _delivered.Count(d => d.Resident == resident && d.Version == version);
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType != typeof(IVillageGrain) || context.InterfaceMethod.Name != nameof(IVillageGrain.ReportAsync))
        {
            await context.Invoke();
            return;
        }
        Mode mode;
        Task released;
        lock (_gate) (mode, released) = (_mode, _released.Task);
        if (mode == Mode.Throw) throw new InvalidOperationException("test: the village is failing");
        if (mode == Mode.Hang) await released;
        await context.Invoke();
        if (context.Request.GetArgument(0) is ResidentSummary summary)
            lock (_gate) _delivered.Add((summary.ResidentKey, summary.Version));
        if (mode == Mode.LoseAcknowledgement) throw new InvalidOperationException("test: the acknowledgement was lost");
    }

    /// <summary>Registers <paramref name="faults"/> as a silo-wide filter.</summary>
    public static void AddTo(ISiloBuilder silo, VillageFaults faults) => silo.AddIncomingGrainCallFilter(faults);
}
