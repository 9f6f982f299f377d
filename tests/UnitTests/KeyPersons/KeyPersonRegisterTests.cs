using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Sanmenxia.HealthCode;
using Sanmenxia.KeyPersons;
using Sanmenxia.Residents;

namespace Sanmenxia.UnitTests.KeyPersons;

public class KeyPersonRegisterTests
{
    private static readonly DateOnly Today = new(2020, 2, 10);
    private static readonly DateTimeOffset Now = new(2020, 2, 10, 10, 0, 0, TimeSpan.FromHours(8));
    private readonly List<KeyPersonEntry> _entries = [];
    private readonly Dictionary<string, KeyPersonMark> _marks = new(StringComparer.Ordinal);
    private KeyPersonRegister Register => new(_entries, _marks, HealthCodePolicy.Default);

    private static NewKeyPersonEntry New(KeyPersonCategory category = KeyPersonCategory.FromWuhan, int daysAgo = 2,
        ControlMeasure measure = ControlMeasure.HomeIsolation, bool pending = false, string? entryId = null) =>
        new(category, Today.AddDays(-daysAgo), "武汉", measure, null, null, "village staff", pending, entryId);

    private KeyPersonEntry Add(NewKeyPersonEntry entry, string id, DateOnly? today = null) =>
        Register.Add(entry, id, "staff-1", Now, today ?? Today).Entry;

    [Fact]
    public void An_added_entry_is_open_from_today_with_its_period_and_a_mark()
    {
        var (entry, added) = Register.Add(New(daysAgo: 2), "e1", "staff-1", Now, Today);

        Assert.True(added);
        Assert.Equal(KeyPersonStatus.Open, entry.Status);
        Assert.Equal(Today, entry.OpenedOn);
        Assert.Equal(Today.AddDays(12), entry.ObservationEndsOn); // 14 days from the exposure two days ago
        Assert.Equal(("staff-1", Now), (entry.CreatedBy, entry.CreatedAt));
        Assert.Equal(KeyPersonStatus.Open, _marks["e1"].Status);
        Assert.Same(entry, Register.Find("e1"));
    }

    [Fact]
    public void A_pending_entry_is_not_opened_and_puts_a_possible_exposure_on_the_code_with_the_village_s_deadline()
    {
        var entry = Add(New(pending: true), "p1");

        Assert.Equal(KeyPersonStatus.Pending, entry.Status);
        Assert.Null(entry.OpenedOn);
        Assert.Equal(Blocker.PendingExposure, Register.Blockers); // issue 15 item 2: no longer green while pending
        Assert.Equal((Now + PendingDecision.DefaultWithin, false), (entry.DecideBy, entry.Overdue));
        Assert.False(Register.AnyObserved);
    }

    [Fact]
    public void An_import_seen_before_is_returned_unchanged()
    {
        var first = Add(New(entryId: "import-7"), "ignored");
        var (again, added) = Register.Add(New(KeyPersonCategory.CloseContact, entryId: "import-7"), "other", "staff-2", Now, Today);

        Assert.False(added);
        Assert.Same(first, again);
        Assert.Single(_entries);
        Assert.Equal("import-7", first.Id);
    }

    [Fact]
    public void An_entry_whose_period_already_ended_is_released_at_once()
    {
        var entry = Add(New(daysAgo: 20), "old");

        Assert.Equal(KeyPersonStatus.Released, entry.Status);
        Assert.Equal(CloseCause.PeriodCompleted, entry.ClosedBy);
        Assert.Equal(Today.AddDays(-6), entry.ClosedOn);
    }

    [Fact]
    public void Follow_ups_are_kept_bounded_and_one_with_symptoms_counts_against_the_release()
    {
        Add(New(), "e1");
        for (var i = 0; i < KeyPersonRegister.FollowUpsKept + 5; i++)
            Assert.True(Register.FollowUp("e1", FollowUpStatus.SeenWell, $"visit {i}", "staff-1", Now, Today).Accepted);
        var result = Register.FollowUp("e1", FollowUpStatus.SeenWithSymptoms, "cough", "staff-1", Now, Today);

        Assert.True(result.Accepted);
        Assert.Equal(KeyPersonRegister.FollowUpsKept, result.Entry!.FollowUps.Count);
        Assert.Equal("cough", result.Entry.FollowUps[^1].Note);
        Assert.Equal(Today, result.Entry.LastSymptomDay);
        Assert.Same(result.Entry, Register.Find("e1"));
    }

    [Fact]
    public void Refusals_change_nothing()
    {
        Add(New(pending: true), "p1");
        Add(New(), "o1");
        var before = _entries.ToList();

        Assert.Equal("the entry is not open", Register.FollowUp("p1", FollowUpStatus.SeenWell, null, "s", Now, Today).Refusal);
        Assert.Equal("only a pending entry can be confirmed", Register.Confirm("o1", ControlMeasure.HomeIsolation, null, Today).Refusal);
        Assert.Equal("only a pending entry can be dismissed", Register.Dismiss("o1", "no", Today).Refusal);
        Assert.Equal("only an open entry can be released", Register.ReleaseEarly("p1", "no", "s", Today).Refusal);
        var unknown = Register.UpdateMeasure("nope", ControlMeasure.None, null, null, Today);
        Assert.Equal(("no such entry", (KeyPersonEntry?)null), (unknown.Refusal, unknown.Entry));
        Assert.Equal(before, _entries);
    }

    [Fact]
    public void A_closed_entry_refuses_a_measure_and_an_open_or_pending_one_takes_it()
    {
        Add(New(pending: true), "p1");
        var updated = Register.UpdateMeasure("p1", ControlMeasure.CentralIsolation, "site 3", null, Today);
        Assert.True(updated.Accepted);
        Assert.Equal((ControlMeasure.CentralIsolation, "site 3"), (updated.Entry!.Measure, updated.Entry.Site));
        var kept = Register.UpdateMeasure("p1", ControlMeasure.HomeIsolation, null, "no thermometer", Today);
        Assert.Equal(("site 3", "no thermometer"), (kept.Entry!.Site, kept.Entry.Problems)); // null keeps what was there

        Register.Dismiss("p1", "wrong person", Today);
        Assert.Equal("the entry is closed", Register.UpdateMeasure("p1", ControlMeasure.None, null, null, Today).Refusal);
    }

    [Fact]
    public void Confirming_opens_a_pending_entry_from_today()
    {
        Add(New(KeyPersonCategory.CloseContact, pending: true, measure: ControlMeasure.None), "p1");
        var confirmed = Register.Confirm("p1", ControlMeasure.CentralIsolation, "site 1", Today.AddDays(1));

        Assert.Equal(KeyPersonStatus.Open, confirmed.Entry!.Status);
        Assert.Equal(Today.AddDays(1), confirmed.Entry.OpenedOn);
        Assert.Equal(Blocker.Isolation | Blocker.CloseContact, Register.Blockers);
        Assert.Equal(IsolationKind.Central, Register.Isolation);
        Assert.Equal(KeyPersonFlags.CloseContact, Register.OpenCategories);
    }

    [Fact]
    public void Dismissal_and_early_release_say_who_closed_the_entry()
    {
        Add(New(pending: true), "p1");
        Add(New(), "o1");

        var dismissed = Register.Dismiss("p1", "not this person", Today).Entry!;
        var released = Register.ReleaseEarly("o1", "tested negative", "staff-9", Today).Entry!;

        Assert.Equal((KeyPersonStatus.Dismissed, CloseCause.DismissedByStaff, "not this person", Today), (dismissed.Status, dismissed.ClosedBy, dismissed.CloseReason, dismissed.ClosedOn));
        Assert.Equal((KeyPersonStatus.Released, CloseCause.ReleasedByStaff, Today), (released.Status, released.ClosedBy, released.ClosedOn));
        Assert.Equal("released early by staff-9: tested negative", released.CloseReason);
        Assert.Equal(Blocker.None, Register.Blockers);
        Assert.Equal(KeyPersonStatus.Released, _marks["o1"].Status);
    }

    [Fact]
    public void A_change_applies_to_the_entry_as_it_stands_today()
    {
        Add(New(daysAgo: 10), "o1");
        var stored = _entries.Single();

        // Its period ended yesterday: as of today it is released, so it can no longer be released early.
        var refused = Register.ReleaseEarly("o1", "late", "s", Today.AddDays(5));

        Assert.Equal(KeyPersonStatus.Released, refused.Entry!.Status);
        Assert.Same(stored, _entries.Single()); // a refusal stores nothing, not even the settled period
    }

    [Fact]
    public void A_symptom_counts_for_observed_entries_only()
    {
        Add(New(), "observed");
        Add(New(KeyPersonCategory.FromOutsideCity, measure: ControlMeasure.None), "unobserved");

        Assert.True(Register.RecordSymptom(Today));
        Assert.False(Register.RecordSymptom(Today.AddDays(-1))); // an earlier day changes nothing

        Assert.Equal(Today, Register.Find("observed")!.LastSymptomDay);
        Assert.Null(Register.Find("unobserved")!.LastSymptomDay);
    }

    [Fact]
    public void Evaluating_settles_ended_periods_once_and_a_symptom_extends_them()
    {
        Add(New(daysAgo: 2), "well");
        Add(New(KeyPersonCategory.FromHubei, daysAgo: 2), "ill");
        Register.FollowUp("ill", FollowUpStatus.SeenWithSymptoms, "fever", "s", Now, Today);
        var end = Today.AddDays(12);
        Assert.True(Register.AnyObserved);
        Assert.False(Register.AnyPeriodEnded(end.AddDays(-1)));
        Assert.True(Register.AnyPeriodEnded(end));

        Assert.True(Register.Evaluate(end));
        Assert.False(Register.Evaluate(end)); // idempotent

        var well = Register.Find("well")!;
        Assert.Equal((KeyPersonStatus.Released, CloseCause.PeriodCompleted, end), (well.Status, well.ClosedBy, well.ClosedOn));
        var ill = Register.Find("ill")!;
        Assert.Equal((KeyPersonStatus.Open, true, Today.AddDays(14)), (ill.Status, ill.NeedsReview, ill.ObservationEndsOn));
        Assert.Equal(KeyPersonStatus.Released, _marks["well"].Status);
    }

    [Fact]
    public void The_entries_as_of_a_day_are_settled_in_a_copy_only()
    {
        Add(New(daysAgo: 2), "e1");

        var later = Register.AsOf(Today.AddDays(20));

        Assert.Equal(KeyPersonStatus.Released, later.Single().Status);
        Assert.Equal(KeyPersonStatus.Open, _entries.Single().Status);
    }

    [Fact]
    public void A_withdrawal_dismisses_a_pending_entry_and_releases_an_open_one()
    {
        Add(New(KeyPersonCategory.CloseContact, pending: true, measure: ControlMeasure.None), "pending");
        Add(New(KeyPersonCategory.CloseContact), "open");

        Assert.True(Register.CloseByWithdrawal("pending", "publication withdrawn: typo", Today));
        Assert.True(Register.CloseByWithdrawal("open", "publication withdrawn: typo", Today));
        Assert.False(Register.CloseByWithdrawal("open", "again", Today));
        Assert.False(Register.CloseByWithdrawal("unknown", "x", Today));

        Assert.Equal((KeyPersonStatus.Dismissed, CloseCause.PublicationWithdrawn), (Register.Find("pending")!.Status, Register.Find("pending")!.ClosedBy));
        Assert.Equal((KeyPersonStatus.Released, CloseCause.PublicationWithdrawn), (Register.Find("open")!.Status, Register.Find("open")!.ClosedBy));
        Assert.Equal(Blocker.None, Register.Blockers);
    }

    [Fact]
    public void Only_an_entry_a_withdrawal_dismissed_is_forgotten_for_a_republication()
    {
        Add(New(pending: true), "withdrawn");
        Add(New(pending: true), "by-staff");
        Add(New(), "released");
        Register.CloseByWithdrawal("withdrawn", "publication withdrawn: x", Today);
        Register.Dismiss("by-staff", "publication withdrawn, says staff", Today); // the text does not matter: the cause does
        Register.CloseByWithdrawal("released", "publication withdrawn: x", Today);

        Assert.True(Register.ForgetWithdrawn("withdrawn"));
        Assert.False(Register.ForgetWithdrawn("by-staff"));
        Assert.False(Register.ForgetWithdrawn("released"));
        Assert.Equal(["by-staff", "released"], _entries.Select(e => e.Id));
    }

    [Fact]
    public void An_entry_stored_before_the_close_cause_existed_reads_its_withdrawal_from_the_reason()
    {
        // Stored by an earlier build: no ClosedBy (it reads Unknown); the cause was only in the reason text.
        KeyPersonEntry Stored(string id, string reason) => Add(New(pending: true), id) with
        {
            Status = KeyPersonStatus.Dismissed,
            ClosedOn = Today,
            CloseReason = reason,
            ClosedBy = CloseCause.Unknown,
        };
        var legacy = Stored("legacy", "publication withdrawn: wrong train");
        var legacyByStaff = Stored("legacy-staff", "not this person");
        _entries.Clear();
        _entries.AddRange([legacy, legacyByStaff]);

        Assert.Equal(CloseCause.PublicationWithdrawn, KeyPersonRegister.CauseOf(legacy));
        Assert.Equal(CloseCause.Unknown, KeyPersonRegister.CauseOf(legacyByStaff));
        Assert.True(Register.ForgetWithdrawn("legacy"));
        Assert.False(Register.ForgetWithdrawn("legacy-staff"));
    }

    [Fact]
    public void Closed_entries_are_bounded_but_every_entry_keeps_its_mark()
    {
        for (var i = 0; i < KeyPersonRegister.ClosedKept + 5; i++)
        {
            Add(New(measure: ControlMeasure.None), $"c{i:D2}", Today.AddDays(i));
            Register.ReleaseEarly($"c{i:D2}", "well", "s", Today.AddDays(i));
        }
        Add(New(daysAgo: 0), "open", Today.AddDays(-30)); // opened long before any of them closed

        Assert.Equal(KeyPersonRegister.ClosedKept, _entries.Count(e => e.Status == KeyPersonStatus.Released));
        Assert.Equal("c05", _entries.Where(e => e.Status == KeyPersonStatus.Released).MinBy(e => e.ClosedOn)!.Id); // the oldest went
        Assert.NotNull(Register.Find("open"));
        Assert.Equal(KeyPersonRegister.ClosedKept + 6, _marks.Count);
    }

    // ------------------------------------------------------------------ laws

    private static readonly Arbitrary<(int Op, int Target)[]> Operations =
        Gen.Choose(0, 6).SelectMany(_ => Gen.Choose(0, 20), (op, target) => (op, target)).ArrayOf().ToArbitrary();

    [Property]
    public Property Whatever_is_done_open_entries_stay_closed_ones_are_bounded_and_every_entry_ever_is_marked() =>
        Prop.ForAll(Operations, operations =>
        {
            var entries = new List<KeyPersonEntry>();
            var marks = new Dictionary<string, KeyPersonMark>(StringComparer.Ordinal);
            var register = new KeyPersonRegister(entries, marks, HealthCodePolicy.Default);
            var ever = new List<string>();
            var day = Today;
            foreach (var (op, target) in operations)
            {
                day = day.AddDays(target % 3);
                var id = ever.Count == 0 ? "none" : ever[target % ever.Count];
                switch (op)
                {
                    case 0: ever.Add(register.Add(New(daysAgo: target, pending: target % 2 == 0), $"n{ever.Count}", "s", Now, day).Entry.Id); break;
                    case 1: register.Confirm(id, ControlMeasure.HomeIsolation, null, day); break;
                    case 2: register.Dismiss(id, "x", day); break;
                    case 3: register.ReleaseEarly(id, "x", "s", day); break;
                    case 4: register.Evaluate(day); break;
                    case 5: register.CloseByWithdrawal(id, "publication withdrawn: x", day); break;
                    default: register.FollowUp(id, FollowUpStatus.SeenWithSymptoms, null, "s", Now, day); break;
                }
            }
            register.RefreshMarks();
            var live = entries.Count(e => e.Status is KeyPersonStatus.Open or KeyPersonStatus.Pending);
            var liveMarks = marks.Values.Count(m => m.Status is KeyPersonStatus.Open or KeyPersonStatus.Pending);
            return entries.Count - live <= KeyPersonRegister.ClosedKept && ever.All(marks.ContainsKey) && liveMarks == live;
        });

    [Property]
    public Property Evaluating_twice_on_the_same_day_changes_nothing_the_second_time() =>
        Prop.ForAll(Gen.Choose(0, 40).ArrayOf().ToArbitrary(), Gen.Choose(0, 60).ToArbitrary(), (exposures, after) =>
        {
            var register = new KeyPersonRegister([], new(StringComparer.Ordinal), HealthCodePolicy.Default);
            for (var i = 0; i < exposures.Length; i++)
            {
                register.Add(New(daysAgo: exposures[i], measure: (ControlMeasure)(i % 4)), $"e{i}", "s", Now, Today);
                if (i % 3 == 0) register.RecordSymptom(Today.AddDays(i % 5));
            }
            var day = Today.AddDays(after);
            register.Evaluate(day);
            var settled = register.Entries.ToList();
            return !register.Evaluate(day) && settled.SequenceEqual(register.Entries) && !register.AnyPeriodEnded(day);
        });
}
