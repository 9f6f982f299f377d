using Sanmenxia.Regions;

namespace Sanmenxia.Checkpoints;

/// <summary>A checkpoint's definition.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CheckpointInfo")]
public sealed record CheckpointInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] RegionCode RegionCode,
    [property: Id(3)] RegionLevel Level,
    [property: Id(4)] CheckpointPolicy Policy,
    [property: Id(5)] IReadOnlyList<string> Staff);

/// <summary>Defining a checkpoint: Created, Unchanged (same definition again), or Conflict (the id is taken by another definition).</summary>
[GenerateSerializer, Alias("sanmenxia.CheckpointDefineOutcome")]
public enum CheckpointDefineOutcome { Created = 0, Unchanged = 1, Updated = 2 }
