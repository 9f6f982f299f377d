using Sanmenxia.Regions;
using Sanmenxia.Tickets;

namespace Sanmenxia.UnitTests.Tickets;

/// <summary>The 12345 state machine: every (state, action) pair, the reopening rule, and what each step records.</summary>
public sealed class TicketWorkflowTests
{
    internal static readonly DateTimeOffset T0 = new(2020, 2, 1, 9, 0, 0, TimeSpan.FromHours(8));
    internal static readonly RegionCode Village = RegionCode.Parse("411202001001");
    internal static readonly TicketActor Operator = new("op1", "hotline");
    internal static readonly TicketActor VillageHead = new("v1", "village");

    internal static Ticket NewTicket(RegionCode? region = null, DateTimeOffset? at = null) => TicketWorkflow.Receive("12345-20200201-000001",
        new NewTicket(TicketSource.LeadReport, TicketKind.Report, LeadCategory.PersonWithFever, new TicketLocation(region ?? Village, "东风路 3 号"),
            "楼下有人发烧", null, null, TicketActor.Anonymous), at ?? T0);

    internal static Ticket Must(TicketDecision decision)
    {
        Assert.True(decision.Accepted, decision.Refusal?.Reason);
        return decision.Ticket!;
    }

    internal static Ticket Do(Ticket t, TicketCommand c, TicketActor? actor = null, int minutes = 10) =>
        Must(TicketWorkflow.Apply(t, c, actor ?? Operator, t.UpdatedAt.AddMinutes(minutes)));

    /// <summary>A ticket in each state, reached through the workflow itself.</summary>
    internal static Ticket InState(TicketState state)
    {
        var t = NewTicket();
        if (state == TicketState.Received) return t;
        if (state == TicketState.Rejected) return Do(t, TicketCommand.Reject(RejectReason.NotEpidemicRelated));
        t = Do(t, TicketCommand.Accept());
        if (state == TicketState.Accepted) return t;
        t = Do(t, TicketCommand.Dispatch(TicketAssignee.Village(Village)));
        if (state == TicketState.Dispatched) return t;
        t = Do(t, TicketCommand.Handle("已上门测温"), VillageHead);
        if (state == TicketState.Handled) return t;
        if (state == TicketState.Supervision)
        {
            t = Do(t, TicketCommand.GiveFeedback(FeedbackOutcome.NotSatisfied));
            t = Do(t, TicketCommand.Handle("再次上门"), VillageHead);
            return Do(t, TicketCommand.GiveFeedback(FeedbackOutcome.NotSatisfied));
        }
        t = Do(t, TicketCommand.GiveFeedback(FeedbackOutcome.Satisfied));
        if (state == TicketState.FeedbackGiven) return t;
        return Do(t, TicketCommand.Close());
    }

    /// <summary>A command for the action with every field it needs.</summary>
    internal static TicketCommand Complete(TicketAction action) => action switch
    {
        TicketAction.Accept => TicketCommand.Accept("epidemic-related"),
        TicketAction.Reject => TicketCommand.Reject(RejectReason.Duplicate, "12345-20200131-000007"),
        TicketAction.Dispatch => TicketCommand.Dispatch(TicketAssignee.Department("market-supervision")),
        TicketAction.Handle => TicketCommand.Handle("处理完毕"),
        TicketAction.Feedback => TicketCommand.GiveFeedback(FeedbackOutcome.Satisfied),
        _ => TicketCommand.Close("done"),
    };

    /// <summary>The legal moves, written out independently of the implementation: (state, action) → resulting state.</summary>
    private static readonly Dictionary<(TicketState, TicketAction), TicketState> Legal = new()
    {
        [(TicketState.Received, TicketAction.Accept)] = TicketState.Accepted,
        [(TicketState.Received, TicketAction.Reject)] = TicketState.Rejected,
        [(TicketState.Accepted, TicketAction.Dispatch)] = TicketState.Dispatched,
        [(TicketState.Accepted, TicketAction.Handle)] = TicketState.Handled,
        [(TicketState.Dispatched, TicketAction.Dispatch)] = TicketState.Dispatched,
        [(TicketState.Dispatched, TicketAction.Handle)] = TicketState.Handled,
        [(TicketState.Handled, TicketAction.Feedback)] = TicketState.FeedbackGiven,
        [(TicketState.FeedbackGiven, TicketAction.Close)] = TicketState.Closed,
        [(TicketState.Supervision, TicketAction.Dispatch)] = TicketState.Dispatched,
        [(TicketState.Supervision, TicketAction.Handle)] = TicketState.Handled,
        [(TicketState.Supervision, TicketAction.Close)] = TicketState.Closed,
    };

    public static TheoryData<TicketState, TicketAction> AllPairs()
    {
        var data = new TheoryData<TicketState, TicketAction>();
        foreach (var state in Enum.GetValues<TicketState>())
            foreach (var action in Enum.GetValues<TicketAction>())
                data.Add(state, action);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Every_state_and_action_is_either_a_recorded_move_or_a_typed_refusal(TicketState state, TicketAction action)
    {
        var before = InState(state);
        Assert.Equal(state, before.State);
        var at = before.UpdatedAt.AddMinutes(5);
        var decision = TicketWorkflow.Apply(before, Complete(action), Operator, at);

        Assert.Equal(Legal.ContainsKey((state, action)), TicketWorkflow.IsLegal(state, action));
        if (Legal.TryGetValue((state, action), out var expected))
        {
            var after = Must(decision);
            Assert.Equal(expected, after.State);
            Assert.Equal(before.Version + 1, after.Version);
            var step = after.Steps[^1];
            Assert.Equal((Operator, at, state, expected), (step.Actor, step.At, step.From, step.To));
            Assert.Equal(before.Steps, after.Steps.Take(before.Steps.Count));
        }
        else
        {
            Assert.False(decision.Accepted);
            Assert.Null(decision.Ticket);
            Assert.Equal(TicketWorkflow.IllegalTransition, decision.Refusal!.Code);
            Assert.False(string.IsNullOrWhiteSpace(decision.Refusal.Reason));
        }
    }

    [Fact]
    public void The_table_covers_every_pair()
    {
        Assert.Equal(Enum.GetValues<TicketState>().Length * Enum.GetValues<TicketAction>().Length, AllPairs().Count());
    }

    [Fact]
    public void Not_satisfied_reopens_to_the_same_handler_once_then_goes_to_the_supervisor_whose_handling_is_final()
    {
        var t = InState(TicketState.Handled);
        var village = TicketAssignee.Village(Village);

        t = Do(t, TicketCommand.GiveFeedback(FeedbackOutcome.NotSatisfied, "还在发烧没人管"));
        Assert.Equal((TicketState.Dispatched, village, 1, false), (t.State, t.Assignee, t.Reopens, t.Supervised));
        Assert.Equal([TicketStepKind.Feedback, TicketStepKind.Reopened], t.Steps.TakeLast(2).Select(s => s.Kind));
        Assert.Equal(t.UpdatedAt, t.HandleClockFrom);

        t = Do(t, TicketCommand.Handle("已送医"), VillageHead);
        t = Do(t, TicketCommand.GiveFeedback(FeedbackOutcome.NotSatisfied));
        Assert.Equal((TicketState.Supervision, true), (t.State, t.Supervised));
        Assert.Equal(TicketStepKind.ToSupervisor, t.Steps[^1].Kind);

        t = Do(t, TicketCommand.Handle("督办：核实已处理"));
        t = Do(t, TicketCommand.GiveFeedback(FeedbackOutcome.NotSatisfied));
        Assert.Equal(TicketState.FeedbackGiven, t.State);
        Assert.Contains("supervisor's handling stands", t.Steps[^1].Note);
        Assert.Equal(TicketState.Closed, Do(t, TicketCommand.Close()).State);
    }

    [Fact]
    public void A_ticket_handled_without_dispatch_reopens_to_accepted()
    {
        var t = Do(InState(TicketState.Accepted), TicketCommand.Handle("电话中已解答"));
        t = Do(t, TicketCommand.GiveFeedback(FeedbackOutcome.NotSatisfied));
        Assert.Equal((TicketState.Accepted, (TicketAssignee?)null), (t.State, t.Assignee));
    }

    [Fact]
    public void Re_dispatch_keeps_every_hop_and_refuses_the_same_assignee_again()
    {
        var t = InState(TicketState.Dispatched);
        t = Do(t, TicketCommand.Dispatch(TicketAssignee.Department("health-commission"), "村里处理不了"));
        t = Do(t, TicketCommand.Dispatch(TicketAssignee.Department("public-security")));
        Assert.Equal(["village:411202001001", "department:health-commission", "department:public-security"], t.Hops.Select(h => h.ToString()));
        var again = TicketWorkflow.Apply(t, TicketCommand.Dispatch(TicketAssignee.Department("public-security")), Operator, t.UpdatedAt);
        Assert.Equal(TicketWorkflow.IllegalTransition, again.Refusal!.Code);
    }

    [Fact]
    public void Rejections_record_the_reason_and_a_duplicate_names_a_valid_other_ticket()
    {
        var received = InState(TicketState.Received);
        var dup = Do(received, TicketCommand.Reject(RejectReason.Duplicate, "12345-20200131-000007", "同一地址"));
        Assert.Equal((RejectReason.Duplicate, "12345-20200131-000007"), (dup.RejectReason!.Value, dup.DuplicateOf));
        Assert.Equal(dup.UpdatedAt, dup.RejectedAt);
        Assert.Equal("同一地址", dup.Steps[^1].Note);

        Assert.Equal(TicketWorkflow.MissingField, TicketWorkflow.Apply(received, TicketCommand.Reject(RejectReason.Duplicate, "N-1"), Operator, T0).Refusal!.Code);
        Assert.Equal(TicketWorkflow.MissingField, TicketWorkflow.Apply(received, TicketCommand.Reject(RejectReason.Duplicate, received.Number), Operator, T0).Refusal!.Code);
        Assert.Equal(TicketWorkflow.MissingField, TicketWorkflow.Apply(received, new TicketCommand(TicketAction.Reject), Operator, T0).Refusal!.Code);
        var notEpidemic = Do(received, TicketCommand.Reject(RejectReason.NotEpidemicRelated, "12345-20200131-000007"));
        Assert.Null(notEpidemic.DuplicateOf);
    }

    [Fact]
    public void Actions_missing_what_they_need_are_refused_with_a_reason()
    {
        var accepted = InState(TicketState.Accepted);
        Assert.Equal(TicketWorkflow.MissingField, TicketWorkflow.Apply(accepted, new TicketCommand(TicketAction.Dispatch), Operator, T0).Refusal!.Code);
        Assert.Equal(TicketWorkflow.MissingField, TicketWorkflow.Apply(accepted,
            TicketCommand.Dispatch(new TicketAssignee(AssigneeKind.Village, "411202001")), Operator, T0).Refusal!.Code); // a township is not a village
        Assert.Equal(TicketWorkflow.MissingField, TicketWorkflow.Apply(accepted, TicketCommand.Handle("  "), Operator, T0).Refusal!.Code);
        Assert.Equal(TicketWorkflow.MissingField, TicketWorkflow.Apply(InState(TicketState.Handled), new TicketCommand(TicketAction.Feedback), Operator, T0).Refusal!.Code);
        Assert.Equal(TicketWorkflow.MissingField, TicketWorkflow.Apply(InState(TicketState.FeedbackGiven),
            TicketCommand.Close(new string('x', TicketWorkflow.MaxNoteLength + 1)), Operator, T0).Refusal!.Code);
    }

    [Fact]
    public void The_whole_life_records_who_when_and_why()
    {
        var t = NewTicket();
        t = Do(t, TicketCommand.Accept("疫情相关"));
        t = Do(t, TicketCommand.Dispatch(TicketAssignee.Village(Village)));
        t = Do(t, TicketCommand.Handle("已上门测温 37.8，已送发热门诊"), VillageHead);
        t = Do(t, TicketCommand.GiveFeedback(FeedbackOutcome.Satisfied));
        t = Do(t, TicketCommand.Close());
        Assert.Equal([TicketStepKind.Received, TicketStepKind.Accepted, TicketStepKind.Dispatched, TicketStepKind.Handled, TicketStepKind.Feedback, TicketStepKind.Closed],
            t.Steps.Select(s => s.Kind));
        Assert.Equal(t.Steps.Select(s => s.At).Order(), t.Steps.Select(s => s.At));
        Assert.Equal("v1", t.Steps[3].Actor.Id);
        Assert.Equal("已上门测温 37.8，已送发热门诊", t.Result);
        Assert.Equal(T0.AddMinutes(10), t.AcceptedAt);
        Assert.Equal(t.UpdatedAt, t.ClosedAt);
        Assert.False(t.IsOpen);
    }

    [Theory]
    [InlineData("12345-20200201-000001", true)]
    [InlineData("12345-20201231-999999", true)]
    [InlineData("12345-20200231-000001", false)]
    [InlineData("12345-20200201-000000", false)]
    [InlineData("12345-20200201-00001", false)]
    [InlineData("12346-20200201-000001", false)]
    [InlineData("12345-20200201-00000a", false)]
    [InlineData(null, false)]
    public void Ticket_numbers_parse_only_in_their_one_form(string? text, bool valid)
    {
        Assert.Equal(valid, TicketNumbers.IsValid(text));
    }

    [Fact]
    public void Ticket_numbers_sort_by_day_then_sequence()
    {
        var numbers = new[] { TicketNumbers.Format(new(2020, 2, 10), 1), TicketNumbers.Format(new(2020, 2, 9), 999_999), TicketNumbers.Format(new(2020, 2, 10), 12) };
        Assert.Equal(["12345-20200209-999999", "12345-20200210-000001", "12345-20200210-000012"], numbers.Order(StringComparer.Ordinal));
        Assert.Throws<ArgumentOutOfRangeException>(() => TicketNumbers.Format(new(2020, 2, 10), 1_000_000));
    }

    [Fact]
    public void Every_lead_category_has_a_bilingual_label()
    {
        Assert.Equal(10, LeadCategories.All.Count);
        Assert.All(LeadCategories.All, c => Assert.Contains(" · ", LeadCategories.Label(c)));
    }
}
