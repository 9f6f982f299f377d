using System.Security.Cryptography;
using Sanmenxia.Auth;

namespace Sanmenxia.Grains.Auth;

/// <summary>
/// One-time codes live only in memory: a code is worth five minutes, and losing it with a silo just means
/// asking again. Only a hash of the code is held.
/// </summary>
public sealed class OneTimeCodeGrain(TimeProvider clock) : Grain, IOneTimeCodeGrain
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ResendPause = TimeSpan.FromSeconds(30);
    private const int MaxAttempts = 5;
    /// <summary>A code used up by wrong guesses blocks new codes this long: without it each new code gave five more guesses at once.</summary>
    private static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);

    private string? _codeHash;
    private DateTimeOffset _issuedAt;
    private int _attempts;
    private DateTimeOffset _lockedUntil;

    public Task<OneTimeCodeIssueResult> IssueAsync()
    {
        var now = clock.GetUtcNow();
        if (now < _lockedUntil)
            return Task.FromResult(new OneTimeCodeIssueResult(OneTimeCodeIssueStatus.LockedOut, null, _lockedUntil - now));
        if (_codeHash is not null && now - _issuedAt < ResendPause)
            return Task.FromResult(new OneTimeCodeIssueResult(OneTimeCodeIssueStatus.TooSoon, null, ResendPause - (now - _issuedAt)));

        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6");
        _codeHash = HashCode(code);
        _issuedAt = now;
        _attempts = 0;
        DelayDeactivation(Lifetime);
        return Task.FromResult(new OneTimeCodeIssueResult(OneTimeCodeIssueStatus.Issued, code, TimeSpan.Zero));
    }

    public Task<OneTimeCodeCheck> VerifyAsync(string code)
    {
        if (_codeHash is null) return Task.FromResult(OneTimeCodeCheck.NoCode);
        if (clock.GetUtcNow() - _issuedAt > Lifetime)
        {
            _codeHash = null;
            return Task.FromResult(OneTimeCodeCheck.Expired);
        }
        if (!CryptographicOperations.FixedTimeEquals(Convert.FromHexString(_codeHash), Convert.FromHexString(HashCode(code ?? ""))))
        {
            if (++_attempts < MaxAttempts) return Task.FromResult(OneTimeCodeCheck.Wrong);
            _codeHash = null;
            // In memory like the code: a silo restart forgets the lockout, which costs an attacker a restart per round.
            _lockedUntil = clock.GetUtcNow() + Lockout;
            DelayDeactivation(Lockout);
            return Task.FromResult(OneTimeCodeCheck.TooManyAttempts);
        }
        _codeHash = null; // one use only
        return Task.FromResult(OneTimeCodeCheck.Accepted);
    }

    private static string HashCode(string code) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(code)));
}
