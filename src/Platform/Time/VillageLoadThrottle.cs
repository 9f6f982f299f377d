using Microsoft.Extensions.Options;
using Sanmenxia.Platform.Options;

namespace Sanmenxia.Platform.Time;

/// <summary>
/// The back-pressure of village activations: one per silo process, shared by its villages, so however many villages
/// activate together (after a restart the dashboards' first calls activate every village of the city through the
/// roll-up tree), at most <see cref="DeadlineOptions.VillageLoadsInFlightPerSilo"/> of them read their residents' rows
/// at once. The others wait their turn in their activation, and the pool keeps connections for live requests (a
/// restart's re-activations once emptied the silo's pool of 40, and about 1,000 of them failed on its 15 s wait).
/// </summary>
public sealed class VillageLoadThrottle(IOptions<DeadlineOptions> options) : SlotThrottle(options.Value.VillageLoadsInFlightPerSilo);
