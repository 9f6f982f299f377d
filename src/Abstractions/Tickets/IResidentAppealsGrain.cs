namespace Sanmenxia.Tickets;

/// <summary>What filing an appeal gave: the new appeal, or the one that still awaits the village's answer (nothing filed).</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.AppealFiling")]
public sealed record AppealFiling([property: Id(0)] Ticket? Filed, [property: Id(1)] Ticket? AlreadyOpen);

/// <summary>
/// A resident's appeals (issue 14, "Appeals"). Key: the resident's pseudonymous key. Holds the numbers of the resident's
/// appeal tickets and, being one activation per resident, enforces "one appeal awaiting an answer at a time" without a race.
/// </summary>
[Alias("sanmenxia.IResidentAppealsGrain")]
public interface IResidentAppealsGrain : IGrainWithStringKey
{
    /// <summary>Files the appeal (number allocated, ticket created and dispatched) unless one still awaits an answer.</summary>
    [Alias("File")] Task<AppealFiling> FileAsync(NewTicket appeal);
    /// <summary>The resident's appeals, newest first.</summary>
    [Alias("List")] Task<IReadOnlyList<Ticket>> ListAsync();
    /// <summary>
    /// Erasure of the resident (docs/data-governance.md): clears the stored list of appeal numbers and deactivates. The
    /// appeal tickets themselves stay as the village's work record until the closed-ticket retention deletes them.
    /// </summary>
    [Alias("Forget")] Task ForgetAsync();
}
