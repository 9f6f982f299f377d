using Sanmenxia.Requests;
using Sanmenxia.Residents;

namespace Sanmenxia.Grains.Residents;

// Retry safety (docs/operations.md, "Retries, deadlines and the outbox"): the requests this resident executed under an
// Idempotency-Key are remembered in its state, written with the change itself, so a retry answers the first outcome.
public sealed partial class ResidentGrain
{
    /// <summary>The operation names a key is remembered under (a key reused for another operation is not a retry of it).</summary>
    private static class Operations
    {
        public const string Apply = "apply";
        public const string ClockIn = "clock-in";
        public const string SelfReport = "self-report";
        public const string AddNeed = "need";
        public const string ClearFever = "clear-fever";
        public const string AddEntry = "key-person";
        public const string FollowUp = "follow-up";
        public const string Measure = "measure";
        public const string Confirm = "confirm";
        public const string Dismiss = "dismiss";
        public const string Release = "release";
    }

    /// <summary>The earlier execution of the call being served (same key, same operation, within the window), or null.</summary>
    private RememberedRequest? Replayed(string operation) => Guard.Over(S.RecentRequests).Find(RequestGuard.Key, operation, Guard.Now);

    /// <summary>Remembers the call being served (if keyed) in the state the action is about to write.</summary>
    private void Remember(string operation, string? resultId = null) =>
        Guard.Over(S.RecentRequests).Remember(RequestGuard.Key, operation, Guard.Now, resultId);

    /// <summary>
    /// A clock-in the API issued before the latest one executed here arrived late (queued in a silo declared dead, say):
    /// it must not overwrite the newer one. The reason to refuse it, or null.
    /// </summary>
    private string? StaleClockIn() =>
        RequestStamp.Current is { } stamp && S.LastClockInIssuedAt is { } last && stamp.IssuedAt < last
            ? "a newer clock-in is already recorded; this earlier one arrived late and was not applied"
            : null;

    private CodeActionResult Accepted() => new(true, [], View());
}
