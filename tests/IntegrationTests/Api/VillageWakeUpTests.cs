using Microsoft.Extensions.DependencyInjection;
using Sanmenxia.Grains.Regions;
using Sanmenxia.HealthCode;
using Sanmenxia.Residents;
using Sanmenxia.Villages;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// A village's roll-up timer is one-shot (<see cref="WakeTimer"/>): armed by a change, idle once the change is pushed
/// and written. Seen through the test-only <see cref="RollupProbe"/> the factory registers. No timing is asserted:
/// the test waits (with a deadline) for states the village must reach, and counts wake-ups, not time.
/// </summary>
[Collection("api")]
public sealed class VillageWakeUpTests(ApiFactory factory)
{
    [Fact]
    public async Task A_village_wakes_only_while_it_has_something_to_report()
    {
        var code = (await factory.VillagesAsync())[^2].Code;
        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        var probe = factory.Services.GetRequiredService<RollupProbe>();
        var village = grains.GetGrain<IVillageGrain>(code);
        var township = grains.GetGrain<IRegionGrain>(code[..9]);
        var id = village.GetGrainId();

        // Active (defined with the tree, or activated now): its first counts go to the township, then nothing is pending.
        await village.GetCountsAsync();
        var idle = await Until(() => probe.Of(id) is { IsArmed: false, Woke: > 0 } c ? c : null, "the village never went idle");

        // Reads change nothing, so they arm nothing.
        for (var i = 0; i < 20; i++)
        {
            await village.GetCountsAsync();
            await village.ListResidentsAsync(new VillageResidentFilter(), 0, 10);
            await village.HasResidentAsync("nobody");
        }
        Assert.Equal(idle, probe.Of(id));

        // A change arms it (in the report's own turn); it reaches the township; then the village is idle again.
        var before = (await township.GetCountsAsync()).Residents;
        var key = "wake-" + Guid.NewGuid().ToString("N");
        await village.ReportAsync(Summary(key, 1));
        Assert.True(probe.Of(id).Armed > idle.Armed, "a report did not arm the wake-up");
        await UntilAsync(async () => (await township.GetCountsAsync()).Residents == before + 1 ? true : (bool?)null, "the township never counted the report");
        var after = await Until(() => probe.Of(id) is { IsArmed: false } c && c.Woke > idle.Woke ? c : null, "the village never went idle after the change");
        // One wake-up pushes the counts; a second one at most, if today's history row was not yet due then.
        Assert.InRange(after.Woke - idle.Woke, 1, 2);

        // Leave the village as it was (other tests count the tree).
        await village.ReportAsync(Summary(key, 2, removed: true));
        await UntilAsync(async () => (await township.GetCountsAsync()).Residents == before ? true : (bool?)null, "the township never saw the removal");
    }

    private static ResidentSummary Summary(string key, long version, bool removed = false) =>
        new(key, version, "王*", "4112**********123X", "h-" + key, HealthCodeState.NotApplied, 0, Removed: removed);

    private static Task<T> Until<T>(Func<T?> probe, string failure) where T : class =>
        UntilAsync(() => Task.FromResult(probe()), failure);

    private static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (await probe() is { } done) return done;
            if (DateTime.UtcNow > deadline) throw new TimeoutException(failure);
            await Task.Delay(50);
        }
    }
}
