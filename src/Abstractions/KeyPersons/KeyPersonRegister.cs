using Sanmenxia.HealthCode;
using Sanmenxia.Residents;

namespace Sanmenxia.KeyPersons;

/// <summary>
/// One resident's key-person register (platform 4) as pure operations over the lists the resident stores: every
/// open or pending entry is kept, only the latest <see cref="ClosedKept"/> closed ones, and one mark per entry ever
/// (so the village's "ever" counts survive the bounding). Each operation changes the lists in place and says what
/// it changed; a refusal changes nothing. No clock and no I/O: the caller passes <c>today</c> and <c>now</c>.
/// </summary>
public sealed class KeyPersonRegister(
    List<KeyPersonEntry> entries, Dictionary<string, KeyPersonMark> marks, HealthCodePolicy policy, TimeSpan? decisionWithin = null)
{
    public const int ClosedKept = 10;
    public const int FollowUpsKept = 30;

    /// <summary>How long village staff have to confirm or dismiss a pending entry (KeyPersons:PendingDecisionWithin).</summary>
    public TimeSpan DecisionWithin { get; } = decisionWithin ?? PendingDecision.DefaultWithin;

    public IReadOnlyList<KeyPersonEntry> Entries => entries;

    public KeyPersonEntry? Find(string id) => entries.Find(e => e.Id == id);

    /// <summary>The entries as they stand on <paramref name="today"/> (ended periods settled in the copy, not stored).</summary>
    public IReadOnlyList<KeyPersonEntry> AsOf(DateOnly today) => entries.Select(e => ObservationRules.Evaluate(policy, e, today)).ToList();

    /// <summary>What the open entries put on the health code.</summary>
    public Blocker Blockers => entries.Aggregate(Blocker.None, (b, e) => b | ObservationRules.BlockersOf(e));

    /// <summary>
    /// The blockers the health code must carry: what the open entries put on it, and a fever reported at a clock-in,
    /// which stays until staff clear it. A fever that came from an entry ends with the entry.
    /// </summary>
    public Blocker CodeBlockers(bool feverAtClockIn) => Blockers | (feverAtClockIn ? Blocker.Fever : Blocker.None);

    /// <summary>The pending entries, the village's queue: overdue first, then by deadline.</summary>
    public IReadOnlyList<KeyPersonEntry> AwaitingDecision => entries.Where(e => e.Status == KeyPersonStatus.Pending)
        .OrderByDescending(e => e.Overdue).ThenBy(e => PendingDecision.DecideByOf(e, DecisionWithin)).ToList();

    /// <summary>The earliest deadline of a pending entry not yet overdue: when the decision reminder must wake the resident.</summary>
    public DateTimeOffset? NextDecisionDue => PendingDecision.NextDue(entries, DecisionWithin);

    /// <summary>True if some pending entry's deadline has passed by <paramref name="now"/> unmarked (or it has none stored yet).</summary>
    public bool AnyDecisionDue(DateTimeOffset now) => entries.Any(e => PendingDecision.IsDue(e, now, DecisionWithin));

    /// <summary>
    /// Marks every pending entry whose deadline passed by <paramref name="now"/> overdue (and gives a deadline to a pending
    /// entry stored without one). Idempotent, from the stored dates. True if any entry changed.
    /// </summary>
    public bool EvaluateDecisions(DateTimeOffset now)
    {
        var changed = UpdateAll(e => PendingDecision.Evaluate(e, now, DecisionWithin));
        if (changed) RefreshMarks();
        return changed;
    }

    /// <summary>
    /// The first entry of the village's queue as the resident's code names it, or null when nothing is pending.
    /// <paramref name="exposureOf"/> names a trip match's exposure ("on Train G1234 2020-01-30"); other entries are named by
    /// their origin or source.
    /// </summary>
    public PendingExposureNotice? PendingNotice(Func<string, string?> exposureOf)
    {
        if (AwaitingDecision is not [var first, ..]) return null;
        var source = exposureOf(first.Id) ?? (string.IsNullOrWhiteSpace(first.Origin) ? $"reported by {first.Source}" : $"({first.Origin})");
        return new PendingExposureNotice(source, PendingDecision.DecideByOf(first, DecisionWithin), first.Overdue);
    }

    /// <summary>True while some entry is under observation (the resident's daily reminder must run).</summary>
    public bool AnyObserved => entries.Any(e => e.RequiresObservation);

    /// <summary>True if some period has ended by <paramref name="today"/> and is not yet settled.</summary>
    public bool AnyPeriodEnded(DateOnly today) => entries.Any(e => e.RequiresObservation && today >= e.ObservationEndsOn);

    /// <summary>
    /// The last day an open entry's observation or isolation runs to as of <paramref name="today"/> (ended periods settled):
    /// what the resident is told their red or yellow code waits for. Null when no period runs.
    /// </summary>
    public DateOnly? ObservationEndsOn(DateOnly today) =>
        AsOf(today).Where(e => e.RequiresObservation).Select(e => (DateOnly?)e.ObservationEndsOn).Max();

    public KeyPersonFlags OpenCategories => entries.Where(e => e.Status == KeyPersonStatus.Open)
        .Aggregate(KeyPersonFlags.None, (flags, e) => flags | (KeyPersonFlags)(1 << ((int)e.Category - 1)));

    public IsolationKind Isolation
    {
        get
        {
            var open = entries.Where(e => e.Status == KeyPersonStatus.Open).Select(e => e.Measure).ToList();
            return open.Contains(ControlMeasure.CentralIsolation) ? IsolationKind.Central
                : open.Contains(ControlMeasure.HomeIsolation) ? IsolationKind.Home
                : open.Contains(ControlMeasure.MedicalObservation) ? IsolationKind.MedicalObservation
                : IsolationKind.None;
        }
    }

    /// <summary>
    /// Adds an entry (pending or open from <paramref name="today"/>); a period that already ended is settled at once.
    /// An entry whose <see cref="NewKeyPersonEntry.EntryId"/> is known (an import seen before) is returned unchanged.
    /// </summary>
    public (KeyPersonEntry Entry, bool Added) Add(NewKeyPersonEntry entry, string newId, string by, DateTimeOffset now, DateOnly today)
    {
        var id = entry.EntryId ?? newId;
        if (Find(id) is { } existing) return (existing, false);
        var created = ObservationRules.Evaluate(policy, new KeyPersonEntry
        {
            Id = id,
            Category = entry.Category,
            Status = entry.Pending ? KeyPersonStatus.Pending : KeyPersonStatus.Open,
            ExposureDate = entry.ExposureDate,
            Origin = entry.Origin,
            Measure = entry.Measure,
            Site = entry.Site,
            Problems = entry.Problems,
            ObservationEndsOn = ObservationRules.EndsOn(policy, entry.ExposureDate),
            OpenedOn = entry.Pending ? null : today,
            DecideBy = entry.Pending ? now + DecisionWithin : null,
            Source = entry.Source,
            CreatedAt = now,
            CreatedBy = by,
            PeriodFrom = entry.PeriodFrom,
            PeriodTo = entry.PeriodTo,
        }, today);
        entries.Add(created);
        Bound();
        return (created, true);
    }

    public KeyPersonResult FollowUp(string entryId, FollowUpStatus status, string? note, string by, DateTimeOffset now, DateOnly today) =>
        Change(entryId, today, e => e.Status != KeyPersonStatus.Open ? "the entry is not open" : null, e =>
        {
            var updated = e with { FollowUps = e.FollowUps.Append(new FollowUp(today, status, note, by, now)).TakeLast(FollowUpsKept).ToList() };
            return status == FollowUpStatus.SeenWithSymptoms ? ObservationRules.RecordSymptom(updated, today) : updated;
        });

    public KeyPersonResult UpdateMeasure(string entryId, ControlMeasure measure, string? site, string? problems, DateOnly today) =>
        Change(entryId, today, e => e.Status is KeyPersonStatus.Open or KeyPersonStatus.Pending ? null : "the entry is closed",
            e => e with { Measure = measure, Site = site ?? e.Site, Problems = problems ?? e.Problems });

    public KeyPersonResult Confirm(string entryId, ControlMeasure measure, string? site, DateOnly today) =>
        Change(entryId, today, e => e.Status == KeyPersonStatus.Pending ? null : "only a pending entry can be confirmed",
            e => e with { Status = KeyPersonStatus.Open, Measure = measure, Site = site, OpenedOn = today });

    public KeyPersonResult Dismiss(string entryId, string reason, DateOnly today) =>
        Change(entryId, today, e => e.Status == KeyPersonStatus.Pending ? null : "only a pending entry can be dismissed",
            e => e with { Status = KeyPersonStatus.Dismissed, ClosedOn = today, CloseReason = reason, ClosedBy = CloseCause.DismissedByStaff });

    public KeyPersonResult ReleaseEarly(string entryId, string reason, string by, DateOnly today) =>
        Change(entryId, today, e => e.Status == KeyPersonStatus.Open ? null : "only an open entry can be released",
            e => e with
            {
                Status = KeyPersonStatus.Released,
                ClosedOn = today,
                CloseReason = $"released early by {by}: {reason}",
                ClosedBy = CloseCause.ReleasedByStaff,
            });

    /// <summary>Settles every period that ended by <paramref name="today"/>. True if any entry changed.</summary>
    public bool Evaluate(DateOnly today)
    {
        var changed = UpdateAll(e => ObservationRules.Evaluate(policy, e, today));
        if (changed) Bound();
        return changed;
    }

    /// <summary>A fever or symptom on <paramref name="day"/> counts against the release of every observed entry.</summary>
    public bool RecordSymptom(DateOnly day) => UpdateAll(e => e.RequiresObservation ? ObservationRules.RecordSymptom(e, day) : e);

    /// <summary>
    /// The publication behind an entry was withdrawn: a pending entry is dismissed, an open one released, with the
    /// reason. True if the entry changed.
    /// </summary>
    public bool CloseByWithdrawal(string entryId, string reason, DateOnly today)
    {
        var changed = UpdateAll(e => e.Id != entryId ? e : e.Status switch
        {
            KeyPersonStatus.Pending => e with { Status = KeyPersonStatus.Dismissed, ClosedOn = today, CloseReason = reason, ClosedBy = CloseCause.PublicationWithdrawn },
            KeyPersonStatus.Open => e with { Status = KeyPersonStatus.Released, ClosedOn = today, CloseReason = reason, ClosedBy = CloseCause.PublicationWithdrawn },
            _ => e,
        });
        if (changed) Bound();
        return changed;
    }

    /// <summary>
    /// Removes a pending entry that a withdrawal dismissed, so a republication opens it afresh (its mark is replaced
    /// then). True if it was removed.
    /// </summary>
    public bool ForgetWithdrawn(string entryId) =>
        entries.RemoveAll(e => e.Id == entryId && e.Status == KeyPersonStatus.Dismissed && CauseOf(e) == CloseCause.PublicationWithdrawn) > 0;

    /// <summary>
    /// Why an entry was closed. An entry closed before <see cref="KeyPersonEntry.ClosedBy"/> was stored reads
    /// <see cref="CloseCause.Unknown"/>; for those only, a withdrawal is recognised by the reason text that build wrote.
    /// </summary>
    public static CloseCause CauseOf(KeyPersonEntry entry) =>
        entry.ClosedBy == CloseCause.Unknown && entry.CloseReason?.StartsWith("publication withdrawn", StringComparison.Ordinal) == true
            ? CloseCause.PublicationWithdrawn
            : entry.ClosedBy;

    /// <summary>Marks every entry, then drops the oldest closed entries beyond <see cref="ClosedKept"/> (their marks stay).</summary>
    public void Bound()
    {
        RefreshMarks();
        var closed = entries.Where(e => e.Status is KeyPersonStatus.Released or KeyPersonStatus.Dismissed).OrderBy(e => e.ClosedOn).ToList();
        foreach (var old in closed.Take(Math.Max(0, closed.Count - ClosedKept))) entries.Remove(old);
    }

    /// <summary>One mark per entry, as it stands: what the village counts.</summary>
    public void RefreshMarks()
    {
        foreach (var e in entries)
            marks[e.Id] = new KeyPersonMark(e.Category, e.Status, e.Measure, e.OpenedOn, e.ClosedOn, e.NeedsReview, e.Status == KeyPersonStatus.Pending && e.Overdue);
    }

    /// <summary>Settles the entry as of today, asks whether the change is refused, applies it and settles again.</summary>
    private KeyPersonResult Change(string entryId, DateOnly today, Func<KeyPersonEntry, string?> refuse, Func<KeyPersonEntry, KeyPersonEntry> change)
    {
        var index = entries.FindIndex(e => e.Id == entryId);
        if (index < 0) return new(false, "no such entry", null);
        var current = ObservationRules.Evaluate(policy, entries[index], today);
        if (refuse(current) is { } reason) return new(false, reason, current);
        var changed = ObservationRules.Evaluate(policy, change(current), today);
        entries[index] = changed;
        Bound();
        return new(true, null, changed);
    }

    private bool UpdateAll(Func<KeyPersonEntry, KeyPersonEntry> change)
    {
        var changed = false;
        for (var i = 0; i < entries.Count; i++)
        {
            var next = change(entries[i]);
            if (next == entries[i]) continue;
            entries[i] = next;
            changed = true;
        }
        return changed;
    }
}
