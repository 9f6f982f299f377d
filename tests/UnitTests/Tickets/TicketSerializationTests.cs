using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Sanmenxia.Tickets;
using static Sanmenxia.UnitTests.Tickets.TicketWorkflowTests;

namespace Sanmenxia.UnitTests.Tickets;

/// <summary>Tickets live in grain state and cross grain calls: the whole life must round-trip through Orleans' serializer.</summary>
public sealed class TicketSerializationTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(Ticket).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    private static T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value))!;

    [Fact]
    public void A_ticket_with_its_whole_history_round_trips()
    {
        var supervised = TicketDeadlines.Apply(InState(TicketState.Supervision), TicketDeadlinePolicy.Default, T0.AddDays(5));
        var copy = RoundTrip(supervised);
        Assert.Equal(supervised with { Steps = [] }, copy with { Steps = [] });
        Assert.Equal(supervised.Steps, copy.Steps);
        Assert.True(copy.EscalationLevel > 0);

        var command = TicketCommand.Reject(RejectReason.Duplicate, "12345-20200201-000002", "同一来电");
        Assert.Equal(command, RoundTrip(command));
        Assert.Equal(new TicketActionResult(null, new TicketRefusal("c", "r")), RoundTrip(new TicketActionResult(null, new TicketRefusal("c", "r"))));
    }
}
