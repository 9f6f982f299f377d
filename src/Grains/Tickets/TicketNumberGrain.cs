using System.Globalization;
using Sanmenxia.Tickets;

namespace Sanmenxia.Grains.Tickets;

[GenerateSerializer, Alias("sanmenxia.TicketCounterState")]
public sealed class TicketCounterState
{
    /// <summary>The last sequence number handed out for the day.</summary>
    [Id(0)] public int Last { get; set; }
}

/// <summary>
/// The day's ticket counter (key yyyyMMdd). A number is stored before it is returned, so it is never handed out twice;
/// a ticket whose creation failed after its number was allocated leaves a gap, never a duplicate.
/// </summary>
public sealed class TicketNumberGrain(
    [PersistentState("ticket-counter", StorageNames.Default)] IPersistentState<TicketCounterState> state) : Grain, ITicketNumberGrain
{
    public async Task<string> NextAsync()
    {
        var day = DateOnly.ParseExact(this.GetPrimaryKeyString(), "yyyyMMdd", CultureInfo.InvariantCulture);
        if (state.State.Last >= TicketNumbers.MaxPerDay) throw new InvalidOperationException($"The ticket numbers of {day:yyyy-MM-dd} are used up.");
        state.State.Last++;
        await state.WriteOrForgetAsync(this);
        return TicketNumbers.Format(day, state.State.Last);
    }
}
