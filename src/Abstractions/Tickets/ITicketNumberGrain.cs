namespace Sanmenxia.Tickets;

/// <summary>Allocates the day's ticket sequence numbers. Key: the day, yyyyMMdd in the city's calendar.</summary>
[Alias("sanmenxia.ITicketNumberGrain")]
public interface ITicketNumberGrain : IGrainWithStringKey
{
    /// <summary>The next number of the day (1, 2, …), stored before it is returned, so it is never handed out twice.</summary>
    [Alias("Next")] Task<string> NextAsync();
}
