namespace Sanmenxia.Security;

/// <summary>
/// A time-limited permission for one staff member to read one resident outside their jurisdiction (break-the-glass):
/// who, for whom, why, and until when. Granted and checked by the API on the domain clock; every grant and every read
/// under it is on the audit trail with a break-glass action.
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.BreakGlassGrant")]
public sealed record BreakGlassGrant(
    [property: Id(0)] string ResidentKey,
    [property: Id(1)] string Reason,
    [property: Id(2)] DateTimeOffset OpenedAt,
    [property: Id(3)] DateTimeOffset Until);

/// <summary>One staff member's break-the-glass grants; key = the staff username.</summary>
[Alias("sanmenxia.IBreakGlassGrain")]
public interface IBreakGlassGrain : IGrainWithStringKey
{
    /// <summary>Records a grant (replacing an earlier one for the same resident); grants ended before <paramref name="now"/> are forgotten.</summary>
    [Alias("Open")] Task OpenAsync(BreakGlassGrant grant, DateTimeOffset now);

    /// <summary>The grant for this resident still open at <paramref name="now"/>, if any.</summary>
    [Orleans.Concurrency.ReadOnly, Alias("Active")] Task<BreakGlassGrant?> ActiveAsync(string residentKey, DateTimeOffset now);
}
