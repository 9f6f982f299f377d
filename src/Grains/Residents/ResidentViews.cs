using Sanmenxia.HealthCode;
using Sanmenxia.Identity;
using Sanmenxia.KeyPersons;
using Sanmenxia.Residents;

namespace Sanmenxia.Grains.Residents;

/// <summary>What a resident's state shows others (profile, code view, village summary), and its colour history.</summary>
internal static class ResidentViews
{
    public const int HistoryLimit = 100;

    /// <summary>Takes the rules' new code state, and keeps each colour change with who caused it (the latest <see cref="HistoryLimit"/>).</summary>
    public static void Record(this ResidentState s, HealthCodeResult result, ActorKind by)
    {
        s.Code = result.State;
        foreach (var change in result.Changes)
            s.History.Add(new CodeHistoryEntry(change, change.Cause == ChangeCause.MissedClockIn ? ActorKind.System : by));
        if (s.History.Count > HistoryLimit) s.History.RemoveRange(0, s.History.Count - HistoryLimit);
    }

    /// <summary>
    /// The code as of <paramref name="now"/>. Days that ended since the last evaluation are projected (not stored), so a
    /// read between midnight and this resident's reminder shows the right colour and the history that explains it.
    /// The view names the village; its duty phone is the API's to add (<see cref="CodeView.VillageContact"/>).
    /// </summary>
    public static CodeView View(this ResidentState s, HealthCodePolicy policy, DateTimeOffset now, DateOnly today, PendingExposureNotice? exposure,
        DateOnly? observationEndsOn = null)
    {
        var pending = HealthCodeRules.CloseDaysThrough(policy, s.Code, today.AddDays(-1)).Changes;
        var history = s.History.Concat(pending.Select(c => new CodeHistoryEntry(c, ActorKind.System))).ToList();
        return new CodeView(HealthCodeRules.Explain(policy, s.Code, now, exposure), history, s.Code.AppliedOn, today,
            s.IsProvisional, s.IsProvisional ? ProvisionalNote : null, s.TodayClockIn(today), observationEndsOn,
            string.IsNullOrEmpty(s.VillageCode) ? null : s.VillageCode);
    }

    /// <summary>The clock-in that counts for <paramref name="today"/> (the latest reading of the day), or null when there is none yet.</summary>
    public static ClockInRecord? TodayClockIn(this ResidentState s, DateOnly today) =>
        s.Code.LastClockInDay >= today ? new ClockInRecord(s.LastClockInAt, s.Code.LastTemperature) : null;

    public static ResidentProfile Profile(this ResidentState s, string key)
    {
        var id = ResidentIdNumber.Parse(s.IdNumber!, DateOnly.MaxValue);
        return new ResidentProfile(key, s.Name, id.Masked, s.Phone is null ? null : PhoneNumber.Parse(s.Phone).Masked,
            s.VillageCode, s.HouseholdId, id.BirthDate, id.IsMale, s.RegisteredAt, s.IsProvisional);
    }

    public const string ProvisionalNote =
        "Provisional: added by the household head and awaiting the village's confirmation. Clock-ins count, but the code is not shown as a QR until the village confirms it (or the person registers with their own phone). "
        + "临时成员：由户主添加，待村（社区）确认；打卡有效，但确认前不能出示二维码。";

    public static HouseholdClaim? Claim(this ResidentState s, string key) => s.ClaimedBy is null || s.IdNumber is null ? null
        : new HouseholdClaim(key, s.Name, ResidentIdNumber.Parse(s.IdNumber, DateOnly.MaxValue).Masked, s.VillageCode, s.HouseholdId,
            s.ClaimedBy, s.RegisteredAt, s.ClaimConfirmed);

    /// <summary>The summary that takes a resident out of a village (its row deleted), at <paramref name="version"/>.</summary>
    public static ResidentSummary Removal(string key, long version) => new(key, version, "", "", "", HealthCodeState.NotApplied, 0, Removed: true);

    /// <summary>What the village counts and lists, at the state's summary version.</summary>
    public static ResidentSummary Summary(this ResidentState s, string key, KeyPersonRegister register, NeedList needs)
    {
        var maskedId = ResidentIdNumber.TryParse(s.IdNumber, DateOnly.MaxValue, out var id, out _) ? id.Masked : "";
        return new(key, s.SummaryVersion, s.Name, maskedId, s.HouseholdId, s.Code, needs.OpenCount, register.OpenCategories,
            register.Isolation, Marks: s.Marks.Values.ToList(), CloseDueOn: s.CloseDueOn);
    }
}
