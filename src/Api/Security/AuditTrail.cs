using System.Security.Claims;
using Sanmenxia.Grains.Audit;

namespace Sanmenxia.Api.Security;

/// <summary>Records staff access to personal data before the data is returned (查得到, 可追溯).</summary>
public sealed class AuditTrail(IAuditLog log, TimeProvider clock)
{
    public Task RecordAsync(ClaimsPrincipal user, string action, string? subjectKey, string? regionCode, string? detail = null, CancellationToken ct = default)
    {
        var caller = Caller.From(user);
        return log.RecordAsync(new AuditEntry(clock.GetUtcNow(), caller.Subject, caller.Role, action, subjectKey, regionCode, detail), ct);
    }
}
