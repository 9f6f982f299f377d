using Microsoft.Extensions.DependencyInjection;
using System.Security.Cryptography;
using Sanmenxia.Auth;

namespace Sanmenxia.Grains.Auth;

/// <summary>
/// One-time codes live only in memory: a code is worth five minutes, and losing it with a silo just means
/// asking again. Only a hash of the code is held.
/// <para>
/// Wrong guesses are counted per phone over <see cref="FailureWindow"/>, not per code: asking for a new code does not
/// reset them (it used to, so each new code gave five more guesses). <see cref="MaxFailures"/> in the window lock the
/// phone: no sign-in and no new code for <see cref="Lockout"/>. Sending is limited per phone here, where every API
/// process's requests for that phone meet (<see cref="MaxCodesPerWindow"/> an hour, a pause between two); the limit
/// per client address is the API's rate limiter.
/// </para>
/// </summary>
public sealed class OneTimeCodeGrain([FromKeyedServices(Sanmenxia.Platform.Time.SignInClock.Key)] TimeProvider clock) : Grain, IOneTimeCodeGrain
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ResendPause = TimeSpan.FromSeconds(30);
    private const int MaxFailures = 5;
    private static readonly TimeSpan FailureWindow = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);
    private const int MaxCodesPerWindow = 5;
    private static readonly TimeSpan SendWindow = TimeSpan.FromHours(1);

    private string? _codeHash;
    private DateTimeOffset _issuedAt;
    private DateTimeOffset _lockedUntil;
    // In memory like the code: a silo restart forgets them, which costs an attacker a restart per round.
    private readonly Queue<DateTimeOffset> _failures = new();
    private readonly Queue<DateTimeOffset> _sent = new();

    public Task<OneTimeCodeIssueResult> IssueAsync()
    {
        var now = clock.GetUtcNow();
        if (now < _lockedUntil)
            return Task.FromResult(new OneTimeCodeIssueResult(OneTimeCodeIssueStatus.LockedOut, null, _lockedUntil - now));
        if (_codeHash is not null && now - _issuedAt < ResendPause)
            return Task.FromResult(new OneTimeCodeIssueResult(OneTimeCodeIssueStatus.TooSoon, null, ResendPause - (now - _issuedAt)));
        Prune(_sent, now - SendWindow);
        if (_sent.Count >= MaxCodesPerWindow)
            return Task.FromResult(new OneTimeCodeIssueResult(OneTimeCodeIssueStatus.TooMany, null, _sent.Peek() + SendWindow - now));

        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6");
        _codeHash = HashCode(code);
        _issuedAt = now;
        _sent.Enqueue(now);
        // Kept while the sending count matters (an idle phone's grain is small; there are few of them).
        DelayDeactivation(SendWindow);
        return Task.FromResult(new OneTimeCodeIssueResult(OneTimeCodeIssueStatus.Issued, code, TimeSpan.Zero));
    }

    public Task<OneTimeCodeCheck> VerifyAsync(string code)
    {
        var now = clock.GetUtcNow();
        // Locked: not even the right code signs in, or a guesser would keep guessing through the lockout.
        if (now < _lockedUntil) return Task.FromResult(OneTimeCodeCheck.TooManyAttempts);
        if (_codeHash is null) return Task.FromResult(OneTimeCodeCheck.NoCode);
        if (now - _issuedAt > Lifetime)
        {
            _codeHash = null;
            return Task.FromResult(OneTimeCodeCheck.Expired);
        }
        if (!CryptographicOperations.FixedTimeEquals(Convert.FromHexString(_codeHash), Convert.FromHexString(HashCode(code ?? ""))))
        {
            Prune(_failures, now - FailureWindow);
            _failures.Enqueue(now);
            if (_failures.Count < MaxFailures)
            {
                DelayDeactivation(FailureWindow);
                return Task.FromResult(OneTimeCodeCheck.Wrong);
            }
            _codeHash = null;
            _failures.Clear();
            _lockedUntil = now + Lockout;
            DelayDeactivation(Lockout > SendWindow ? Lockout : SendWindow);
            return Task.FromResult(OneTimeCodeCheck.TooManyAttempts);
        }
        _codeHash = null; // one use only
        _failures.Clear();
        return Task.FromResult(OneTimeCodeCheck.Accepted);
    }

    private static void Prune(Queue<DateTimeOffset> times, DateTimeOffset before)
    {
        while (times.Count > 0 && times.Peek() <= before) times.Dequeue();
    }

    private static string HashCode(string code) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(code)));
}
