using Sanmenxia.HealthCode;
using Sanmenxia.KeyPersons;
using Sanmenxia.Trips;
using Sanmenxia.UnitTests.HealthCode;
using Sanmenxia.Villages;

namespace Sanmenxia.UnitTests.KeyPersons;

/// <summary>
/// Issue 15 item 2, docs/domain.md: "A possible exposure awaiting the village's check (a co-traveler match, a lead naming
/// the person) makes the code yellow (choice: configurable) with the trip or lead as its reason and the date by which the
/// village must decide; confirming makes it a close contact (red), dismissing restores the code's own colour."
/// Driven the way the resident grain does it: the register and trip watch change, then the code's blockers follow
/// <see cref="KeyPersonRegister.CodeBlockers"/>.
/// </summary>
public class PendingExposureTests
{
    private readonly List<KeyPersonEntry> _entries = [];
    private readonly Dictionary<string, KeyPersonMark> _marks = new(StringComparer.Ordinal);
    private readonly List<SavedTrip> _trips = [];
    private readonly List<TripMatch> _matches = [];
    private Scenario _code = new();

    private KeyPersonRegister Register => new(_entries, _marks, _code.Policy);
    private TripWatch Watch => new(_trips, _matches);
    private static readonly TripId Train = new(TravelMode.Train, "G1234", Scenario.Day(1));
    private static readonly PublishedCase Case = new("case-1", new SeatInfo(3, 10, null), "武汉", "三门峡南", "卫健委通报",
        Scenario.At(1, 8), "commander");

    /// <summary>The code's own colour: <paramref name="pattern"/> over days 1..n (C = clocked in), nothing closed yet.</summary>
    private void Own(string pattern, HealthCodePolicy? policy = null) => _code = new Scenario(policy).Run(pattern, closeEachDay: false);

    private void Sync(int day, int hour) => _code.SetBlockers(day, hour, Register.CodeBlockers(feverAtClockIn: false));

    private CodeExplanation Explain(int day, int hour) =>
        HealthCodeRules.Explain(_code.Policy, _code.State, Scenario.At(day, hour), Register.PendingNotice(Watch.ExposureOf));

    /// <summary>The traveller saved the trip; a case on it is published at <paramref name="day"/> <paramref name="hour"/>:00.</summary>
    private string Match(int day, int hour)
    {
        var now = Scenario.At(day, hour);
        Watch.Save(TripWatch.NewSaved(Train, new SeatInfo(3, 12, null), now, 14), [], Register, now, Scenario.Day(day));
        Assert.True(Watch.Receive(Train, Case, Register, now, Scenario.Day(day)));
        Sync(day, hour);
        return TripWatch.EntryIdOf(Train, Case.CaseId);
    }

    [Fact]
    public void A_match_turns_a_green_code_yellow_naming_the_trip_and_the_village_s_deadline()
    {
        Own("C");
        var entryId = Match(1, 10);

        var explained = Explain(1, 11);
        Assert.Equal(CodeColour.Yellow, explained.Colour);
        Assert.Equal(ReasonCodes.BlockedPendingExposure, explained.ReasonCode);
        Assert.Equal(NextStepCodes.AwaitVillageCheck, explained.NextStepCode);
        Assert.Contains("possible exposure on Train G1234 2020-02-01, awaiting your village's check by 2020-02-02 10:00", explained.Reason);
        Assert.Equal(new PendingExposureNotice("on Train G1234 2020-02-01", Scenario.At(2, 10), Overdue: false), explained.PendingExposure);
        Assert.Equal(Scenario.At(2, 10), Register.Find(entryId)!.DecideBy);
        Assert.Null(explained.GreenOn);
        Assert.Equal((CodeColour.Green, CodeColour.Yellow, ChangeCause.BlockerRaised), (_code.History[^1].From, _code.History[^1].To, _code.History[^1].Cause));
    }

    [Fact]
    public void Confirming_makes_a_close_contact_red_with_observation_from_the_exposure_date()
    {
        Own("C");
        var entryId = Match(1, 10);

        var confirmed = Register.Confirm(entryId, ControlMeasure.CentralIsolation, "site 1", Scenario.Day(2));
        Sync(2, 9);

        Assert.True(confirmed.Accepted);
        Assert.Equal(CodeColour.Red, Explain(2, 10).Colour);
        Assert.Equal(ReasonCodes.BlockedIsolation, Explain(2, 10).ReasonCode);
        Assert.Null(Explain(2, 10).PendingExposure);
        Assert.Equal(Train.Date.AddDays(14), confirmed.Entry!.ObservationEndsOn);
        Assert.Equal(Blocker.Isolation | Blocker.CloseContact, _code.State.Blockers);
    }

    [Theory]
    [InlineData("C", 1, CodeColour.Green, ReasonCodes.GreenClockedInToday)]       // applied (today's clock-in) at 9:00
    [InlineData("C-", 3, CodeColour.Yellow, ReasonCodes.YellowMissedClockIn)]     // day 2 missed
    [InlineData("C---", 5, CodeColour.Red, ReasonCodes.RedMissedYellowDays)]      // days 2-4 missed
    public void Dismissing_restores_the_code_s_own_colour(string pattern, int day, CodeColour own, string ownReason)
    {
        Own(pattern);
        var entryId = Match(day, 10);
        Assert.Equal(own == CodeColour.Red ? CodeColour.Red : CodeColour.Yellow, Explain(day, 11).Colour);

        Assert.True(Register.Dismiss(entryId, "seated far from the case", Scenario.Day(day)).Accepted);
        Sync(day, 12);

        var explained = Explain(day, 13);
        Assert.Equal((own, ownReason), (explained.Colour, explained.ReasonCode));
        Assert.Equal(Blocker.None, _code.State.Blockers);
        Assert.Null(explained.PendingExposure);
    }

    [Fact]
    public void A_withdrawn_publication_restores_the_code_s_own_colour()
    {
        Own("C-");
        Match(3, 10);
        Assert.Equal(CodeColour.Yellow, Explain(3, 11).Colour);

        Assert.True(Watch.Receive(Train, Case with { Withdrawn = true, WithdrawReason = "wrong train" }, Register, Scenario.At(3, 12), Scenario.Day(3)));
        Sync(3, 12);

        Assert.Equal((CodeColour.Yellow, ReasonCodes.YellowMissedClockIn), (Explain(3, 13).Colour, Explain(3, 13).ReasonCode));
        Assert.Equal(Blocker.None, _code.State.Blockers);
        Assert.Equal(CloseCause.PublicationWithdrawn, Assert.Single(_entries).ClosedBy);
    }

    [Fact]
    public void A_pending_exposure_on_top_of_an_isolation_stays_red_and_the_isolation_is_named()
    {
        Own("C");
        Register.Add(new NewKeyPersonEntry(KeyPersonCategory.FromWuhan, Scenario.Day(1), "武汉", ControlMeasure.HomeIsolation, null, null,
            "village staff", Pending: false), "iso", "staff-1", Scenario.At(1, 9), Scenario.Day(1));
        Sync(1, 9);
        Match(1, 10);

        var explained = Explain(1, 11);
        Assert.Equal(CodeColour.Red, explained.Colour);
        Assert.Equal(ReasonCodes.BlockedIsolation, explained.ReasonCode);
        Assert.NotNull(explained.PendingExposure); // still told, under the isolation
        Assert.Equal(Blocker.Isolation | Blocker.PendingExposure, _code.State.Blockers);
    }

    [Fact]
    public void The_colour_of_a_pending_exposure_is_the_policy_s_and_must_not_be_green()
    {
        Own("C", HealthCodePolicy.Default with { PendingExposureColour = CodeColour.Red });
        Match(1, 10);

        Assert.Equal((CodeColour.Red, ReasonCodes.BlockedPendingExposure), (Explain(1, 11).Colour, Explain(1, 11).ReasonCode));
        var greenPolicy = HealthCodePolicy.Default with { PendingExposureColour = CodeColour.Green };
        Assert.Contains(greenPolicy.Validate(), p => p.StartsWith("PendingExposureColour", StringComparison.Ordinal));
        Assert.Empty(HealthCodePolicy.Default.Validate());
        Assert.Equal(CodeColour.Yellow, HealthCodePolicy.Default.PendingExposureColour);
    }

    [Fact]
    public void A_pending_exposure_does_not_refuse_an_application_the_code_is_issued_yellow()
    {
        var result = HealthCodeRules.Apply(HealthCodePolicy.Default, HealthCodeState.NotApplied, Scenario.At(1, 9), 36.5m, true, Blocker.PendingExposure);

        Assert.True(result.Accepted);
        Assert.Equal(CodeColour.Yellow, HealthCodeRules.DisplayedColour(HealthCodePolicy.Default, result.State));
        Assert.Equal((CodeColour.None, CodeColour.Yellow), (result.Changes[0].From, result.Changes[0].To));
        Assert.False(HealthCodeRules.Apply(HealthCodePolicy.Default, HealthCodeState.NotApplied, Scenario.At(1, 9), 36.5m, true,
            Blocker.PendingExposure | Blocker.Isolation).Accepted);
    }
}

/// <summary>The village's decision deadline of a pending entry, evaluated from the stored instants.</summary>
public class PendingDecisionTests
{
    private static readonly DateTimeOffset Created = new(2020, 2, 10, 14, 30, 0, TimeSpan.FromHours(8));
    private static readonly TimeSpan Within = TimeSpan.FromHours(24);
    private readonly List<KeyPersonEntry> _entries = [];
    private readonly Dictionary<string, KeyPersonMark> _marks = new(StringComparer.Ordinal);
    private KeyPersonRegister Register => new(_entries, _marks, HealthCodePolicy.Default, Within);

    private KeyPersonEntry AddPending(string id, DateTimeOffset at) =>
        Register.Add(new NewKeyPersonEntry(KeyPersonCategory.CloseContact, new DateOnly(2020, 2, 8), "co-traveler", ControlMeasure.None, null, null,
            "co-traveler match", Pending: true), id, "trip-matching", at, DateOnly.FromDateTime(at.DateTime)).Entry;

    [Fact]
    public void A_pending_entry_is_due_a_decision_within_the_window_and_overdue_from_its_deadline_on()
    {
        var entry = AddPending("p1", Created);
        var deadline = Created + Within;

        Assert.Equal(deadline, entry.DecideBy);
        Assert.Same(entry, PendingDecision.Evaluate(entry, deadline.AddTicks(-1), Within));
        Assert.False(PendingDecision.IsDue(entry, deadline.AddTicks(-1), Within));
        Assert.True(PendingDecision.IsDue(entry, deadline, Within));
        Assert.True(PendingDecision.Evaluate(entry, deadline, Within).Overdue);
        // A deadline that passed while nothing ran (the cluster down for days) is acted on when evaluated.
        Assert.True(PendingDecision.Evaluate(entry, deadline.AddDays(3), Within).Overdue);
    }

    [Fact]
    public void Overdue_stays_until_decided_and_decided_entries_are_left_alone()
    {
        var overdue = PendingDecision.Evaluate(AddPending("p1", Created), Created.AddDays(2), Within);

        Assert.Same(overdue, PendingDecision.Evaluate(overdue, Created.AddDays(3), Within));
        Assert.False(PendingDecision.IsDue(overdue, Created.AddDays(3), Within));
        var confirmed = overdue with { Status = KeyPersonStatus.Open };
        Assert.Same(confirmed, PendingDecision.Evaluate(confirmed, Created.AddDays(3), Within));
        Assert.False(PendingDecision.IsDue(confirmed, Created.AddDays(3), Within));
    }

    [Fact]
    public void A_pending_entry_stored_without_a_deadline_gets_its_creation_plus_the_window()
    {
        var legacy = AddPending("p1", Created) with { DecideBy = null };

        Assert.True(PendingDecision.IsDue(legacy, Created.AddHours(1), Within));
        var evaluated = PendingDecision.Evaluate(legacy, Created.AddHours(1), Within);
        Assert.Equal((Created + Within, false), (evaluated.DecideBy, evaluated.Overdue));
    }

    [Fact]
    public void The_register_marks_missed_decisions_overdue_wakes_for_the_next_and_lists_the_queue_overdue_first()
    {
        AddPending("late", Created);
        AddPending("later", Created.AddHours(6));
        Assert.Equal(Created + Within, Register.NextDecisionDue);
        Assert.False(Register.EvaluateDecisions(Created.AddHours(23)));

        Assert.True(Register.AnyDecisionDue(Created + Within));
        Assert.True(Register.EvaluateDecisions(Created + Within));
        Assert.False(Register.EvaluateDecisions(Created + Within)); // idempotent

        Assert.True(Register.Find("late")!.Overdue);
        Assert.False(Register.Find("later")!.Overdue);
        Assert.Equal(Created.AddHours(6) + Within, Register.NextDecisionDue);
        Assert.Equal(["late", "later"], Register.AwaitingDecision.Select(e => e.Id));
        Assert.True(_marks["late"].Overdue);

        Register.Dismiss("later", "not on that train", new DateOnly(2020, 2, 11));
        Assert.Null(Register.NextDecisionDue); // nothing left to wake for: the reminder goes
    }

    [Fact]
    public void The_counts_carry_pending_and_overdue_until_the_village_decides()
    {
        AddPending("late", Created);
        AddPending("later", Created.AddHours(6));
        Register.EvaluateDecisions(Created + Within);
        var today = new DateOnly(2020, 2, 11);

        var totals = KeyPersonTotals.From(_marks.Values.ToList(), today);
        Assert.Equal((2, 1), (totals.PendingConfirmation, totals.PendingOverdue));
        Assert.Equal(2, (totals + totals).PendingOverdue); // rolls up like the other counts
        Assert.Equal(0, (totals + -totals).PendingOverdue);

        Register.Confirm("late", ControlMeasure.HomeIsolation, null, today);
        Register.RefreshMarks();
        totals = KeyPersonTotals.From(_marks.Values.ToList(), today);
        Assert.Equal((1, 0), (totals.PendingConfirmation, totals.PendingOverdue));
    }
}
