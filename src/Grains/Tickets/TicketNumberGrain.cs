using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Time;
using Sanmenxia.Requests;
using Sanmenxia.Tickets;

namespace Sanmenxia.Grains.Tickets;

[GenerateSerializer, Alias("sanmenxia.TicketCounterState")]
public sealed class TicketCounterState
{
    /// <summary>The last sequence number handed out for the day.</summary>
    [Id(0)] public int Last { get; set; }
    /// <summary>The numbers handed out lately under an Idempotency-Key: a retried ticket creation gets the same number.</summary>
    [Id(170)] public List<RememberedRequest> Recent { get; set; } = [];
}

/// <summary>
/// The day's ticket counter (key yyyyMMdd). A number is stored before it is returned, so it is never handed out twice;
/// a ticket whose creation failed after its number was allocated leaves a gap, never a duplicate. A creation retried
/// under the same Idempotency-Key gets the number its first run was given (the ticket grain's creation is idempotent
/// by number), so a retry never files a second ticket; a call past its deadline is refused before it takes a number.
/// </summary>
public sealed class TicketNumberGrain(
    [PersistentState("ticket-counter", StorageNames.Default)] IPersistentState<TicketCounterState> state,
    IOptions<RequestOptions> requestOptions,
    [FromKeyedServices(RequestClock.Key)] TimeProvider requestClock) : Grain, ITicketNumberGrain
{
    /// <summary>Keyed creations remembered per day: a retry comes within seconds, after at most this many other tickets.</summary>
    private const int RememberedKeys = 256;
    private const string Operation = "ticket-number";

    public async Task<string> NextAsync()
    {
        var guard = new RequestGuard(requestClock, requestOptions.Value);
        guard.ThrowIfExpired("Ticket number request");
        var recent = new RecentRequests(state.State.Recent, requestOptions.Value.IdempotencyWindow, RememberedKeys);
        if (recent.Find(RequestGuard.Key, Operation, guard.Now) is { ResultId: { } earlier }) return earlier;
        var day = DateOnly.ParseExact(this.GetPrimaryKeyString(), "yyyyMMdd", CultureInfo.InvariantCulture);
        if (state.State.Last >= TicketNumbers.MaxPerDay) throw new InvalidOperationException($"The ticket numbers of {day:yyyy-MM-dd} are used up.");
        state.State.Last++;
        var number = TicketNumbers.Format(day, state.State.Last);
        recent.Remember(RequestGuard.Key, Operation, guard.Now, number);
        await state.WriteOrForgetAsync(this);
        return number;
    }
}
