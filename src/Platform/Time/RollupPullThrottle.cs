using Microsoft.Extensions.Options;
using Sanmenxia.Platform.Options;

namespace Sanmenxia.Platform.Time;

/// <summary>
/// The back-pressure of the roll-up's pulls: one per silo process, shared by its regions, so however many regions
/// activate together (after a restart, every township of the city within seconds), at most
/// <see cref="DeadlineOptions.RollupPullsInFlightPerSilo"/> of their calls for a child's counts are out at once. Each
/// such call may activate a village, which waits for its read (<see cref="VillageLoadThrottle"/>): with few calls out,
/// none waits long enough to time out (with 100 townships asking 8 villages each, 800 activations queued behind 8
/// reads, and thousands of pulls timed out and were asked again).
/// </summary>
public sealed class RollupPullThrottle(IOptions<DeadlineOptions> options) : SlotThrottle(options.Value.RollupPullsInFlightPerSilo);
