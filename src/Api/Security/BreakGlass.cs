using System.Security.Claims;
using Microsoft.Extensions.Options;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Security;

namespace Sanmenxia.Api.Security;

/// <summary>Settings of break-the-glass access, section "BreakGlass".</summary>
public sealed class BreakGlassOptions
{
    public const string Section = "BreakGlass";
    /// <summary>How long a grant lasts, on the domain clock (30 minutes).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>The shortest reason a staff member must state (10 characters).</summary>
    public int MinReasonLength { get; set; } = 10;
}

/// <summary>How a caller may read one resident: within their jurisdiction, under a break-the-glass grant, or not at all.</summary>
public enum ResidentAccess
{
    Refused,
    Jurisdiction,
    BreakGlass,
}

/// <summary>
/// The jurisdiction check of a staff read of one resident, with break-the-glass: a resident outside the caller's
/// jurisdiction may be read only while the caller holds an open grant for that resident (docs/security.md).
/// </summary>
public sealed class BreakGlassAccess(IGrainFactory grains, DomainCalendar calendar, IOptions<BreakGlassOptions> options)
{
    public BreakGlassOptions Options => options.Value;

    public async Task<ResidentAccess> ForResidentAsync(ClaimsPrincipal user, RegionCode village, string residentKey)
    {
        var caller = Caller.From(user);
        if (caller.Covers(village)) return ResidentAccess.Jurisdiction;
        if (caller.Subject.Length == 0 || !caller.IsStaff) return ResidentAccess.Refused;
        var grant = await grains.GetGrain<IBreakGlassGrain>(caller.Subject).ActiveAsync(residentKey, calendar.Now);
        return grant is null ? ResidentAccess.Refused : ResidentAccess.BreakGlass;
    }

    /// <summary>The audit action of a read: the usual one within the jurisdiction, a break-glass one under a grant.</summary>
    public static string ActionFor(ResidentAccess access, string usual, string breakGlass) =>
        access == ResidentAccess.BreakGlass ? breakGlass : usual;
}
