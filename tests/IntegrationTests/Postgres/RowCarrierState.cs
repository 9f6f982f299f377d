using Sanmenxia.Platform.Stores;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>A probe state that carries village rows to its writes, as the resident's state does (<see cref="IVillageRowCarrier"/>).</summary>
[GenerateSerializer, Alias("Sanmenxia.IntegrationTests.Postgres.RowCarrierState")]
public sealed class RowCarrierState : IVillageRowCarrier
{
    [Id(0)] public string? Value { get; set; }

    /// <summary>Not stored: the rows the next write carries.</summary>
    public List<VillageRow> Rows => _rows ??= [];

    [NonSerialized] private List<VillageRow>? _rows;

    IReadOnlyList<VillageRow> IVillageRowCarrier.VillageRows => Rows;
}
