using Sanmenxia.KeyPersons;
using Sanmenxia.Tickets;
using static Sanmenxia.UnitTests.Tickets.TicketWorkflowTests;

namespace Sanmenxia.UnitTests.Tickets;

/// <summary>Residents' appeals as tickets: routed on receipt, answered with a decision, one awaiting an answer; the lead → key-person mapping.</summary>
public sealed class TicketAppealTests
{
    private static Ticket NewAppeal(AppealReason reason = AppealReason.FeverGone, string? note = "已退烧") => TicketWorkflow.Receive("12345-20200201-000002",
        new NewTicket(TicketSource.ResidentAppeal, TicketKind.Appeal, null, new TicketLocation(Village, null), TicketAppeals.Describe(reason, note), null, null,
            new TicketActor("resident", "resident"), ResidentKey: "rk-1", AppealReason: reason, DispatchTo: TicketAssignee.Village(Village)), T0);

    [Fact]
    public void An_appeal_is_accepted_and_dispatched_to_the_village_by_the_system_on_receipt()
    {
        var appeal = NewAppeal();
        Assert.Equal((TicketState.Dispatched, TicketAssignee.Village(Village), "rk-1", AppealReason.FeverGone),
            (appeal.State, appeal.Assignee, appeal.ResidentKey, appeal.AppealReason));
        Assert.Equal([TicketStepKind.Received, TicketStepKind.Accepted, TicketStepKind.Dispatched], appeal.Steps.Select(s => s.Kind));
        Assert.All(appeal.Steps.Skip(1), s => Assert.Equal(TicketActor.System, s.Actor));
        Assert.Equal((T0, T0), (appeal.AcceptedAt, appeal.HandleClockFrom));
        Assert.True(TicketAppeals.AwaitsAnswer(appeal));
        // A lead without DispatchTo stays received.
        Assert.Equal(TicketState.Received, NewTicket().State);
    }

    [Fact]
    public void An_appeal_is_answered_with_a_decision_and_no_longer_awaits_an_answer()
    {
        var appeal = NewAppeal();
        var missing = TicketWorkflow.Apply(appeal, TicketCommand.Handle("已核实"), VillageHead, T0.AddHours(1));
        Assert.Equal(TicketWorkflow.MissingField, missing.Refusal?.Code);

        var answered = Must(TicketWorkflow.Apply(appeal, TicketCommand.Handle("体温正常，已解除", AppealDecision.Resolved), VillageHead, T0.AddHours(1)));
        Assert.Equal((TicketState.Handled, AppealDecision.Resolved, "体温正常，已解除"), (answered.State, answered.AppealDecision, answered.Result));
        Assert.Equal(AppealDecision.Resolved, answered.Steps[^1].AppealDecision);
        Assert.False(TicketAppeals.AwaitsAnswer(answered));

        // Not satisfied: reopened to the village, it awaits an answer again.
        var reopened = Must(TicketWorkflow.Apply(answered, TicketCommand.GiveFeedback(FeedbackOutcome.NotSatisfied), Operator, T0.AddHours(2)));
        Assert.True(TicketAppeals.AwaitsAnswer(reopened));
    }

    [Fact]
    public void Only_an_appeal_takes_a_decision()
    {
        var lead = InState(TicketState.Dispatched);
        Assert.Equal(TicketWorkflow.MissingField,
            TicketWorkflow.Apply(lead, TicketCommand.Handle("done", AppealDecision.Rejected), VillageHead, lead.UpdatedAt.AddMinutes(1)).Refusal?.Code);
        Assert.False(TicketAppeals.AwaitsAnswer(lead));
    }

    [Theory]
    [InlineData(AppealReason.WrongColour, null, null)]
    [InlineData(AppealReason.Other, null, "note")]
    [InlineData(AppealReason.Other, "  ", "note")]
    [InlineData(AppealReason.Other, "码是红的但我没出门", null)]
    [InlineData(AppealReason.FeverGone, "line one\nline two", null)]
    [InlineData(AppealReason.FeverGone, "bell\u0007", "note")]
    public void Checks_the_reason_and_note(AppealReason reason, string? note, string? field) =>
        Assert.Equal(field, TicketAppeals.Check(reason, note).Select(e => e.Field).FirstOrDefault());

    [Fact]
    public void A_note_is_at_most_500_characters()
    {
        Assert.Empty(TicketAppeals.Check(AppealReason.WrongColour, new string('x', 500)));
        Assert.Single(TicketAppeals.Check(AppealReason.WrongColour, new string('x', 501)));
    }

    [Theory]
    [InlineData(LeadCategory.PersonWithFever, KeyPersonCategory.FeverNoExposure)]
    [InlineData(LeadCategory.BackFromWuhan, KeyPersonCategory.FromWuhan)]
    [InlineData(LeadCategory.VehicleFromHubei, KeyPersonCategory.FromHubei)]
    [InlineData(LeadCategory.Gathering, null)]
    [InlineData(LeadCategory.Rumour, null)]
    [InlineData(null, null)]
    public void Maps_a_lead_about_a_person_to_a_key_person_category(LeadCategory? lead, KeyPersonCategory? expected)
    {
        Assert.Equal(expected, LeadCategories.KeyPersonCategoryFor(lead));
        Assert.Equal(expected is not null, LeadCategories.IsAboutAPerson(lead));
    }
}
