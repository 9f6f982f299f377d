using Sanmenxia.Grains.Time;
using Sanmenxia.HealthCode;

namespace Sanmenxia.Api.Endpoints;

public static class TimeEndpoints
{
    /// <summary>The system's time (simulated in drills): pages show it so a person knows which day it is.</summary>
    public static IEndpointRouteBuilder MapTimeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/time", ([FromKeyedServices(DomainClock.Key)] TimeProvider clock, TimeScale scale, HealthCodePolicy policy) =>
        {
            var now = clock.GetUtcNow();
            return Results.Ok(new { now, today = HealthCodeRules.Today(policy, now), simulated = clock is SimulationClock, speed = scale.Speed });
        }).WithTags("Time").AllowAnonymous();
        return app;
    }
}
