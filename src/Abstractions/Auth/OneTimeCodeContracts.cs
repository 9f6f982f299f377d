namespace Sanmenxia.Auth;

[GenerateSerializer, Alias("sanmenxia.OneTimeCodeIssue")]
public enum OneTimeCodeIssueStatus { Issued, TooSoon, LockedOut, TooMany }

[GenerateSerializer, Immutable, Alias("sanmenxia.OneTimeCodeIssueResult")]
public sealed record OneTimeCodeIssueResult(
    [property: Id(0)] OneTimeCodeIssueStatus Status,
    [property: Id(1)] string? Code,
    [property: Id(2)] TimeSpan RetryAfter);

[GenerateSerializer, Alias("sanmenxia.OneTimeCodeCheck")]
public enum OneTimeCodeCheck { Accepted, Wrong, Expired, NoCode, TooManyAttempts }

/// <summary>
/// The one-time login codes of one phone; key = the phone's pseudonymous key. A code lives a few minutes; wrong
/// guesses are counted per phone over a window whatever codes they were for, and enough of them lock the phone out of
/// sign-in and new codes for a while; a new code can be asked for only after a short pause, and only a few per hour.
/// </summary>
[Alias("sanmenxia.IOneTimeCodeGrain")]
public interface IOneTimeCodeGrain : IGrainWithStringKey
{
    [Alias("Issue")] Task<OneTimeCodeIssueResult> IssueAsync();
    [Alias("Verify")] Task<OneTimeCodeCheck> VerifyAsync(string code);
}
