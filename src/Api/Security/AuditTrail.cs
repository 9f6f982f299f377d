using System.Security.Claims;
using Sanmenxia.Api.Problems;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.Api.Security;

/// <summary>Records staff access to personal data before the data is returned (查得到, 可追溯).</summary>
public sealed class AuditTrail(IAuditLog log, TimeProvider clock, IHttpContextAccessor requests)
{
    private static readonly object RecordedKey = new();

    /// <summary>
    /// An entry is written once per request: when a rejected grain call has the request run again
    /// (ProblemSetup.RetryRejectedAsync), the second run's identical entry is the same access, not another one.
    /// </summary>
    public Task RecordAsync(ClaimsPrincipal user, string action, string? subjectKey, string? regionCode, string? detail = null, CancellationToken ct = default)
    {
        var caller = Caller.From(user);
        if (!FirstInThisRequest((caller.Subject, action, subjectKey, regionCode, detail))) return Task.CompletedTask;
        return log.RecordAsync(new AuditEntry(clock.GetUtcNow(), caller.Subject, caller.Role, action, subjectKey, regionCode, detail), ct);
    }

    private bool FirstInThisRequest((string? Subject, string Action, string? SubjectKey, string? Region, string? Detail) entry)
    {
        // Only a request that may run twice needs the set (an import, never re-run, writes one entry per household).
        if (requests.HttpContext is not { } http || !http.GetEndpoint().AllowsRejectionRetry()) return true;
        lock (http.Items)
        {
            if (http.Items[RecordedKey] is not HashSet<(string?, string, string?, string?, string?)> recorded) http.Items[RecordedKey] = recorded = [];
            return recorded.Add(entry);
        }
    }
}
