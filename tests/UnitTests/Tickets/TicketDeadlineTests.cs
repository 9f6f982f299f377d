using Sanmenxia.Regions;
using Sanmenxia.Tickets;
using static Sanmenxia.UnitTests.Tickets.TicketWorkflowTests;

namespace Sanmenxia.UnitTests.Tickets;

/// <summary>Deadlines by state, overdue, and escalation up the region tree, all from dates.</summary>
public sealed class TicketDeadlineTests
{
    private static readonly TicketDeadlinePolicy Policy = TicketDeadlinePolicy.Default;

    [Fact]
    public void Defaults_are_accept_in_2h_handle_in_24h_close_in_72h()
    {
        Assert.Equal((TimeSpan.FromHours(2), TimeSpan.FromHours(24), TimeSpan.FromHours(72)), (Policy.AcceptWithin, Policy.HandleWithin, Policy.CloseWithin));
        Assert.Empty(Policy.Validate());
        Assert.NotEmpty((Policy with { HandleWithin = TimeSpan.Zero }).Validate());
    }

    [Fact]
    public void The_due_time_follows_the_state()
    {
        var received = NewTicket();
        Assert.Equal(T0.AddHours(2), TicketDeadlines.DueAt(received, Policy));

        var accepted = Do(received, TicketCommand.Accept(), minutes: 30);
        Assert.Equal(T0.AddMinutes(30).AddHours(24), TicketDeadlines.DueAt(accepted, Policy));
        var dispatched = Do(accepted, TicketCommand.Dispatch(TicketAssignee.Village(Village)), minutes: 60);
        Assert.Equal(T0.AddMinutes(30).AddHours(24), TicketDeadlines.DueAt(dispatched, Policy)); // dispatching buys no time

        var handled = Do(dispatched, TicketCommand.Handle("ok"), minutes: 600);
        Assert.Equal(T0.AddHours(72), TicketDeadlines.DueAt(handled, Policy));
        Assert.Equal(T0.AddHours(72), TicketDeadlines.DueAt(Do(handled, TicketCommand.GiveFeedback(FeedbackOutcome.Satisfied)), Policy));

        // Reopened after 60 h: a fresh 24 h handling window, but never past the close deadline.
        var reopened = Must(TicketWorkflow.Apply(handled, TicketCommand.GiveFeedback(FeedbackOutcome.NotSatisfied), Operator, T0.AddHours(60)));
        Assert.Equal(T0.AddHours(72), TicketDeadlines.DueAt(reopened, Policy));

        Assert.Null(TicketDeadlines.DueAt(InState(TicketState.Closed), Policy));
        Assert.Null(TicketDeadlines.DueAt(InState(TicketState.Rejected), Policy));
    }

    [Fact]
    public void Past_the_due_time_a_village_ticket_escalates_to_its_township_then_one_level_a_day_up_to_the_city()
    {
        var t = NewTicket();
        var due = T0.AddHours(2);
        var township = RegionCode.Parse("411202001");

        var before = TicketDeadlines.Evaluate(t, Policy, due.AddTicks(-1));
        Assert.Equal((false, 0, (RegionCode?)null, (DateTimeOffset?)due), (before.Overdue, before.Level, before.EscalatedTo, before.NextWake));

        var at = TicketDeadlines.Evaluate(t, Policy, due);
        Assert.Equal((true, 1, (RegionCode?)township, (DateTimeOffset?)due.AddHours(24)), (at.Overdue, at.Level, at.EscalatedTo, at.NextWake));

        var county = TicketDeadlines.Evaluate(t, Policy, due.AddHours(24));
        Assert.Equal((2, "411202", (DateTimeOffset?)due.AddHours(48)), (county.Level, county.EscalatedTo!.Value.Value, county.NextWake));

        var city = TicketDeadlines.Evaluate(t, Policy, due.AddDays(30));
        Assert.Equal((3, "411200", (DateTimeOffset?)null), (city.Level, city.EscalatedTo!.Value.Value, city.NextWake));
    }

    [Fact]
    public void A_ticket_at_the_city_is_overdue_but_has_nowhere_to_escalate()
    {
        var t = NewTicket(SanmenxiaRegions.CityCode);
        var clock = TicketDeadlines.Evaluate(t, Policy, T0.AddHours(3));
        Assert.Equal((true, 0, (DateTimeOffset?)null), (clock.Overdue, clock.Level, clock.NextWake));
    }

    [Fact]
    public void Applying_late_records_each_step_at_the_instant_it_became_due_and_gives_the_same_ticket_as_applying_on_time()
    {
        var t = NewTicket();
        var due = T0.AddHours(2);

        // The cluster was down for two days: one evaluation when it came back.
        var late = TicketDeadlines.Apply(t, Policy, due.AddHours(49));
        var steps = late.Steps.Where(s => s.Kind is TicketStepKind.Overdue or TicketStepKind.Escalated).ToList();
        Assert.Equal([(TicketStepKind.Overdue, due, (string?)null), (TicketStepKind.Escalated, due, "411202001"),
            (TicketStepKind.Escalated, due.AddHours(24), "411202"), (TicketStepKind.Escalated, due.AddHours(48), "411200")],
            steps.Select(s => (s.Kind, s.At, s.EscalatedTo)));
        Assert.All(steps, s => Assert.Equal(TicketActor.System, s.Actor));

        // Ticking on time (every hour) arrives at the same ticket.
        var onTime = t;
        for (var now = T0; now <= due.AddHours(49); now = now.AddHours(1)) onTime = TicketDeadlines.Apply(onTime, Policy, now);
        Assert.Equal(late.Steps.Select(s => (s.Kind, s.At, s.EscalatedTo)), onTime.Steps.Select(s => (s.Kind, s.At, s.EscalatedTo)));
        Assert.Equal((late.Overdue, late.EscalationLevel, late.EscalatedTo, late.OverdueSince), (onTime.Overdue, onTime.EscalationLevel, onTime.EscalatedTo, onTime.OverdueSince));
    }

    [Fact]
    public void Applying_twice_at_the_same_instant_changes_nothing_the_second_time()
    {
        var once = TicketDeadlines.Apply(NewTicket(), Policy, T0.AddHours(5));
        Assert.Same(once, TicketDeadlines.Apply(once, Policy, T0.AddHours(5)));
        var early = TicketDeadlines.Apply(NewTicket(), Policy, T0.AddMinutes(1));
        Assert.Same(early, TicketDeadlines.Apply(early, Policy, T0.AddMinutes(2)));
    }

    [Fact]
    public void Acting_clears_overdue_for_the_next_state_but_the_escalation_stays_visible()
    {
        var late = TicketDeadlines.Apply(NewTicket(), Policy, T0.AddHours(3));
        Assert.True(late.Overdue);
        var accepted = TicketDeadlines.Apply(Must(TicketWorkflow.Apply(late, TicketCommand.Accept(), Operator, T0.AddHours(3))), Policy, T0.AddHours(3));
        Assert.False(accepted.Overdue);
        Assert.Null(accepted.OverdueSince);
        Assert.Equal((1, "411202001"), (accepted.EscalationLevel, accepted.EscalatedTo!.Value.Value));
        Assert.Equal(T0.AddHours(27), accepted.DueAt);

        // Late again on handling: the level climbs from where it is, not from zero.
        var lateAgain = TicketDeadlines.Apply(accepted, Policy, T0.AddHours(27));
        Assert.Equal((true, 1), (lateAgain.Overdue, lateAgain.EscalationLevel));
        Assert.Equal(T0.AddHours(51), TicketDeadlines.Evaluate(lateAgain, Policy, T0.AddHours(27)).NextWake);
        Assert.Equal(2, TicketDeadlines.Apply(lateAgain, Policy, T0.AddHours(51)).EscalationLevel);
    }

    [Fact]
    public void A_closed_ticket_needs_no_wake_up()
    {
        var closed = InState(TicketState.Closed);
        var clock = TicketDeadlines.Evaluate(closed, Policy, closed.UpdatedAt.AddDays(10));
        Assert.Equal((false, (DateTimeOffset?)null, (DateTimeOffset?)null), (clock.Overdue, clock.DueAt, clock.NextWake));
    }
}
