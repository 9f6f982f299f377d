using Sanmenxia.Platform.Options;
using Sanmenxia.Retention;

namespace Sanmenxia.Grains.Retention;

public sealed partial class RetentionGrain
{
    /// <summary>One run's counts per kind and batches; pauses between batches so the job yields to the cluster's work.</summary>
    private sealed class Run(RetentionOptions policy, TimeProvider clock)
    {
        private readonly Dictionary<string, long> _counts = new()
        {
            [RetentionKinds.CheckpointPasses] = 0, [RetentionKinds.ClosedTickets] = 0, [RetentionKinds.Trips] = 0, [RetentionKinds.ClearedStateRows] = 0,
        };

        public DateTimeOffset StartedAt { get; } = clock.GetUtcNow();
        public int Batches { get; private set; }

        public IReadOnlyList<RetentionCount> Counts => _counts.Select(c => new RetentionCount(c.Key, c.Value)).ToList();

        public async Task BatchDoneAsync(string kind, long deleted)
        {
            _counts[kind] = _counts.GetValueOrDefault(kind) + deleted;
            Batches++;
            if (deleted > 0 && policy.BatchPause > TimeSpan.Zero) await Task.Delay(policy.BatchPause, clock);
        }
    }
}
