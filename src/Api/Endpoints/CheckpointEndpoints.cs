using Sanmenxia.Checkpoints;

namespace Sanmenxia.Api.Endpoints;

public sealed record PolicyDto(string? Red, string? Yellow, string? None);
public sealed record CheckpointDto(string Id, string Name, string RegionCode, string Level, PolicyDto Policy, IReadOnlyList<string> Staff)
{
    public static CheckpointDto From(CheckpointInfo i) => new(i.Id, i.Name, i.RegionCode.Value, i.Level.ToString(),
        new PolicyDto(i.Policy.Red.ToString(), i.Policy.Yellow.ToString(), i.Policy.NoCode.ToString()), i.Staff);
}

/// <summary>
/// Platform 5 (检测点管理): checkpoints, the registration of each entry and exit by QR code, ID card or ID number, the
/// counts, and staff queries over the pass records. One file per feature: administration
/// (<see cref="CheckpointAdminEndpoints"/>), passes (<see cref="CheckpointPassEndpoints"/>) and queries
/// (<see cref="CheckpointQueryEndpoints"/>).
/// </summary>
public static class CheckpointEndpoints
{
    public static IEndpointRouteBuilder MapCheckpointEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapCheckpointAdminEndpoints();
        app.MapCheckpointPassEndpoints();
        app.MapCheckpointBatchEndpoints();
        app.MapCheckpointQueryEndpoints();
        return app;
    }
}
