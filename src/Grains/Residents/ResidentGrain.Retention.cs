using Microsoft.Extensions.Logging;
using Sanmenxia.Identity;
using Sanmenxia.Residents;
using Sanmenxia.Retention;
using Sanmenxia.Tickets;
using Sanmenxia.Trips;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Residents;

/// <summary>Retention, erasure and the resident's own download (docs/data-governance.md).</summary>
public sealed partial class ResidentGrain
{
    private const int ErasureBatch = 5_000;

    /// <summary>At the day close: drops the self-report, colour history and trip matches the retention policy says are due.</summary>
    private bool PruneRetained(DateTimeOffset now, DateOnly today)
    {
        var policy = retentionOptions.Value;
        var selfReport = S.SelfReport;
        var pruned = ResidentRetention.Prune(ref selfReport, S.History, S.TripMatches, now, today, policy.SelfReportDays,
            tripOptions.Value.WatchDays, policy.TripDaysAfterWatch);
        S.SelfReport = selfReport;
        return pruned;
    }

    public async Task<ErasureOutcome> EraseAsync(Actor by, string reason)
    {
        var (village, household, phone, claimed) = (S.VillageCode, S.HouseholdId, S.Phone, S.ClaimedBy is not null);
        var existed = state.RecordExists || S.IsRegistered;
        long passes = 0;
        for (int deleted; (deleted = await retentionStore.DeleteResidentPassesAsync(Key, ErasureBatch)) > 0;) passes += deleted;
        foreach (var saved in S.Trips) await GrainFactory.GetGrain<ITripGrain>(saved.Trip.Key).RemoveTravellerAsync(Key);
        if (!string.IsNullOrEmpty(village))
        {
            S.SummaryVersion++;
            // Awaited, not left to the outbox: the record is gone after this call, so nothing could re-send it.
            await GrainFactory.GetGrain<IVillageGrain>(village).ReportAsync(ResidentViews.Removal(Key, S.SummaryVersion));
            if (claimed) await GrainFactory.GetGrain<IHouseholdClaimsGrain>(village).RemoveAsync(Key);
        }
        if (!string.IsNullOrEmpty(household)) await GrainFactory.GetGrain<IHouseholdGrain>(household).ForgetMemberAsync(Key);
        if (phone is not null && PhoneNumber.TryParse(phone, out var parsed, out _))
            await GrainFactory.GetGrain<IPhoneDirectoryGrain>(keys.ForPhone(parsed.Value)).UnlinkAsync(Key);
        // The list of the resident's appeal numbers goes; the appeal tickets stay to the closed-ticket retention.
        await GrainFactory.GetGrain<IResidentAppealsGrain>(Key).ForgetAsync();
        foreach (var name in new[] { LegacyDayCloseReminder, DecisionReminder.Name, VillageOutbox.ReminderName })
            if (await this.GetReminder(name) is { } reminder) await this.UnregisterReminder(reminder);
        // The clear carries the deletion of the village rows (the batched PostgreSQL storage deletes them in the same
        // transaction; with other storages the village deleted them on the report above).
        S.VillageRows.Clear();
        if (!string.IsNullOrEmpty(village)) S.VillageRows.Add(new(village, ResidentViews.Removal(Key, S.SummaryVersion)));
        foreach (var left in S.VillagesToLeave.Where(v => v != village)) S.VillageRows.Add(new(left, ResidentViews.Removal(Key, S.SummaryVersion)));
        await state.ClearAndDeactivateAsync(this, () => new ResidentState());
        logger.LogInformation("Resident {Resident} erased by {Actor} ({Role}); {Passes} pass rows deleted", Key, by.Id, by.Role, passes);
        return new ErasureOutcome(Key, existed, string.IsNullOrEmpty(village) ? null : village,
            [new(RetentionKinds.Residents, existed ? 1 : 0), new(RetentionKinds.CheckpointPasses, passes)]);
    }

    public Task<ResidentRecordRow?> GetRecordRowAsync() => Task.FromResult(S.IsRegistered
        ? new ResidentRecordRow(S.IdNumber!, S.Name, S.Phone, S.VillageCode, S.HouseholdId, S.IsProvisional)
        : null);

    public async Task<ResidentDataExport?> GetDataExportAsync()
    {
        if (!S.IsRegistered) return null;
        await CatchUpAsync();
        return new ResidentDataExport(S.Profile(Key), View(), S.SelfReport, Needs.Items.ToList(), Register.AsOf(calendar.Today),
            Watch.Trips.ToList(), Watch.Matches.ToList(), S.Claim(Key));
    }
}
