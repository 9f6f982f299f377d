using Sanmenxia.Platform.Time;
using Sanmenxia.HealthCode;

namespace Sanmenxia.Api.Endpoints;

public static class TimeEndpoints
{
    /// <summary>The system's time (simulated in drills): pages show it so a person knows which day it is.</summary>
    public static IEndpointRouteBuilder MapTimeEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/time", (DomainCalendar calendar, TimeScale scale) =>
        {
            var now = calendar.Now;
            return Results.Ok(new { now, today = calendar.DayOf(now), simulated = calendar.Clock is SimulationClock, speed = scale.Speed });
        }).WithTags("Time").AllowAnonymous();
        return app;
    }
}
