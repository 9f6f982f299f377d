using System.Diagnostics;
using Sanmenxia.Identity;
using Sanmenxia.IntegrationTests.Support;
using Sanmenxia.Requests;
using Sanmenxia.Residents;
using Sanmenxia.Tickets;
using Sanmenxia.Villages;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// Retry safety and the resident's outbox on a TestCluster (docs/operations.md, "Retries, deadlines and the outbox"):
/// a resident answers on its own write while its village fails or hangs, and the village converges once it recovers;
/// a report delivered twice is counted once; a keyed request retried answers its first outcome; a call past its
/// deadline is refused before it runs; a late clock-in never overwrites a newer one.
/// </summary>
public sealed class OutboxAndRetryTests(OutboxClusterFixture fixture) : IClassFixture<OutboxClusterFixture>, IDisposable
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(20);
    /// <summary>An answer that waited for a hung village would take the response timeout (seconds); the outbox's bound is 200 ms.</summary>
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(3);
    private static int s_sequence;

    private IGrainFactory Grains => fixture.Grains;
    private IVillageGrain Village => Grains.GetGrain<IVillageGrain>(fixture.Village.Code.Value);

    public void Dispose()
    {
        fixture.Faults.Recover();
        RequestStamp.Stamp(null);
    }

    private async Task<(string Key, IResidentGrain Grain)> NewResidentAsync()
    {
        var n = Interlocked.Increment(ref s_sequence);
        var key = "r" + Guid.NewGuid().ToString("N")[..26];
        var id = ResidentIdNumber.Create("411202", new DateOnly(1970, 1, 1).AddDays(n * 37), 100 + n).Value;
        var grain = Grains.GetGrain<IResidentGrain>(key);
        Assert.Equal(RegistrationOutcome.Created, await grain.RegisterAsync(
            new ResidentRegistration(id, "测试" + n, null, fixture.Village.Code.Value, "h-" + key, Actor.Staff("tester", "village"))));
        return (key, grain);
    }

    /// <summary>Stamps the following grain calls as the API does, issued now on the request clock.</summary>
    private void Stamp(string? key, TimeSpan? timeout = null, DateTimeOffset? issuedAt = null)
    {
        var at = issuedAt ?? fixture.RequestClock.GetUtcNow();
        RequestStamp.Stamp(new RequestStamp(key, at, at + (timeout ?? TimeSpan.FromSeconds(10))));
    }

    [Theory]
    [InlineData(VillageFaults.Mode.Throw)]
    [InlineData(VillageFaults.Mode.Hang)]
    public async Task A_resident_answers_on_its_own_write_while_its_village_fails_and_the_count_converges_once_it_recovers(VillageFaults.Mode fault)
    {
        var (key, resident) = await NewResidentAsync();
        await Eventually.Until(() => Village.HasResidentAsync(key), Converge, "the village to list the new resident");
        var before = await Village.GetCountsAsync();

        fixture.Faults.Set(fault);
        var watch = Stopwatch.StartNew();
        var applied = await resident.ApplyAsync(36.6m, true, Actor.Self(key));
        var clockedIn = await resident.ClockInAsync(36.5m, [], Actor.Self(key));
        watch.Stop();

        Assert.True(applied.Accepted && clockedIn.Accepted, string.Join(";", applied.Refusal.Concat(clockedIn.Refusal)));
        Assert.True(watch.Elapsed < Quick, $"two writes took {watch.Elapsed.TotalMilliseconds:0} ms with the village {fault}");
        if (fault == VillageFaults.Mode.Throw) Assert.Equal(before.Applied, (await Village.GetCountsAsync()).Applied); // not counted yet

        fixture.Faults.Recover();
        var after = await Eventually.Until(() => Village.GetCountsAsync(), c => c.Applied == before.Applied + 1 && c.ClockedInToday == before.ClockedInToday + 1,
            Converge, "the village to count the application and the clock-in once it recovered");
        Assert.Equal(before.Residents, after.Residents);
    }

    [Fact]
    public async Task A_report_delivered_again_after_a_lost_acknowledgement_is_counted_once()
    {
        var (key, resident) = await NewResidentAsync();
        await Eventually.Until(() => Village.HasResidentAsync(key), Converge, "the village to list the new resident");
        var before = await Village.GetCountsAsync();

        fixture.Faults.Set(VillageFaults.Mode.LoseAcknowledgement);
        Assert.True((await resident.ApplyAsync(36.6m, true, Actor.Self(key))).Accepted);
        // The village counted version 2 but its answer was lost: the outbox sends the same version again, and again.
        await Eventually.Until(() => Task.FromResult(fixture.Faults.Deliveries(key, 2) >= 3), Converge, "the outbox to re-send the unacknowledged version");
        fixture.Faults.Recover();
        await Eventually.Until(() => Task.FromResult(fixture.Faults.Deliveries(key, 2) >= 4), Converge, "an acknowledged delivery after the recovery");

        var after = await Village.GetCountsAsync();
        Assert.Equal((before.Residents, before.Applied + 1, before.Green + 1), (after.Residents, after.Applied, after.Green));
    }

    [Fact]
    public async Task A_keyed_request_retried_answers_its_first_outcome_and_a_new_key_acts_again()
    {
        var (key, resident) = await NewResidentAsync();
        Stamp("need-action-1");
        var first = await resident.AddNeedAsync(NeedKind.Medicine, "降压药", Actor.Self(key));
        var retried = await resident.AddNeedAsync(NeedKind.Medicine, "降压药", Actor.Self(key));
        Stamp("need-action-2");
        var second = await resident.AddNeedAsync(NeedKind.Medicine, "降压药", Actor.Self(key));
        Stamp("apply-action");
        var applied = await resident.ApplyAsync(36.6m, true, Actor.Self(key));
        var appliedAgain = await resident.ApplyAsync(36.6m, true, Actor.Self(key));
        RequestStamp.Stamp(null);
        var unkeyed = await resident.ApplyAsync(36.6m, true, Actor.Self(key));

        Assert.Equal(first.Id, retried.Id);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(2, (await resident.GetOverviewAsync())!.Needs.Count);
        Assert.True(applied.Accepted);
        Assert.True(appliedAgain.Accepted); // the retry of an accepted application, not "already applied"
        Assert.False(unkeyed.Accepted); // without the key it is a second application, refused by the rules

        // The window is bounded: a day later the same key is a new action.
        fixture.RequestClock.Advance(TimeSpan.FromHours(25));
        Stamp("need-action-1");
        var late = await resident.AddNeedAsync(NeedKind.Medicine, "降压药", Actor.Self(key));
        Assert.NotEqual(first.Id, late.Id);
    }

    [Fact]
    public async Task A_call_that_arrives_after_its_deadline_is_refused_and_changes_nothing()
    {
        var (key, resident) = await NewResidentAsync();
        Assert.True((await resident.ApplyAsync(36.6m, true, Actor.Self(key))).Accepted);

        Stamp("late-clock-in", timeout: TimeSpan.FromSeconds(10));
        fixture.RequestClock.Advance(TimeSpan.FromSeconds(12)); // queued in a silo past the client's timeout
        await Assert.ThrowsAsync<RequestExpiredException>(() => resident.ClockInAsync(38.5m, ["发热"], Actor.Self(key)));
        await Assert.ThrowsAsync<RequestExpiredException>(() => resident.AddNeedAsync(NeedKind.Food, "米", Actor.Self(key)));
        RequestStamp.Stamp(null);

        var overview = (await resident.GetOverviewAsync())!;
        Assert.Null(overview.SelfReport); // no clock-in ran
        Assert.Empty(overview.Needs);
    }

    [Fact]
    public async Task A_clock_in_issued_before_the_latest_one_never_overwrites_it()
    {
        var (key, resident) = await NewResidentAsync();
        Assert.True((await resident.ApplyAsync(36.6m, true, Actor.Self(key))).Accepted);
        var issuedFirst = fixture.RequestClock.GetUtcNow();
        fixture.RequestClock.Advance(TimeSpan.FromSeconds(5));

        Stamp("newer", issuedAt: fixture.RequestClock.GetUtcNow());
        Assert.True((await resident.ClockInAsync(36.4m, [], Actor.Self(key))).Accepted);
        Stamp("older", issuedAt: issuedFirst); // issued first, arriving last (still inside its deadline)
        var stale = await resident.ClockInAsync(38.9m, ["发热"], Actor.Self(key));
        RequestStamp.Stamp(null);

        Assert.False(stale.Accepted);
        Assert.Contains(stale.Refusal, r => r.Contains("newer clock-in", StringComparison.Ordinal));
        Assert.Equal(36.4m, (await resident.GetOverviewAsync())!.SelfReport!.Temperature);
    }

    [Fact]
    public async Task A_ticket_creation_retried_under_its_key_gets_the_same_number()
    {
        var counter = Grains.GetGrain<ITicketNumberGrain>(TicketNumbers.DayKey(new DateOnly(2020, 2, 1)));
        Stamp("ticket-call-1");
        var first = await counter.NextAsync();
        var retried = await counter.NextAsync();
        RequestStamp.Stamp(null);
        var other = await counter.NextAsync();

        Assert.Equal(first, retried);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task A_clock_in_that_woke_the_resident_deactivates_it_after_answering_and_a_warm_resident_stays()
    {
        var (coldKey, cold) = await NewResidentAsync();
        var (warmKey, warm) = await NewResidentAsync();
        // Registered by staff: those activations go at once (RegisterAsync); wait until both are gone.
        await Eventually.Until(() => IsActiveAsync(coldKey), active => !active, Converge, "the staff-registered resident to deactivate");
        await Eventually.Until(() => IsActiveAsync(warmKey), active => !active, Converge, "the other staff-registered resident to deactivate");

        Assert.NotNull(await warm.GetCodeAsync()); // the page read the code first: a warm activation
        Assert.True(await IsActiveAsync(warmKey)); // (and the probe sees activations)
        Assert.True((await warm.ApplyAsync(36.6m, true, Actor.Self(warmKey))).Accepted);
        Assert.True((await cold.ApplyAsync(36.6m, true, Actor.Self(coldKey))).Accepted);
        await Eventually.Until(() => IsActiveAsync(coldKey), active => !active, Converge, "the one-off application activation to deactivate");
        Assert.True((await cold.ClockInAsync(36.5m, [], Actor.Self(coldKey))).Accepted);
        await Eventually.Until(() => IsActiveAsync(coldKey), active => !active, Converge, "the one-off clock-in activation to deactivate");
        Assert.True((await warm.ClockInAsync(36.5m, [], Actor.Self(warmKey))).Accepted);

        // The cold one went; the warm one is still in memory (its collection age is 90 s) and the village counted both.
        Assert.True(await IsActiveAsync(warmKey));
        var counts = await Eventually.Until(() => Village.GetCountsAsync(), c => c.Applied >= 2, Converge, "the village to count both applications");
        Assert.True(await Village.HasResidentAsync(coldKey) && await Village.HasResidentAsync(warmKey));
        Assert.Equal(36.5m, (await cold.GetCodeAsync()).TodayClockIn?.Temperature); // the one-off clock-in was stored
        Assert.True(counts.ClockedInToday >= 2);
    }

    private async Task<bool> IsActiveAsync(string residentKey)
    {
        var activations = await Grains.GetGrain<Orleans.Runtime.IManagementGrain>(0).GetDetailedGrainStatistics();
        return activations.Any(a => a.GrainId.Key.ToString() == residentKey && a.GrainType.Contains("ResidentGrain", StringComparison.Ordinal));
    }
}
