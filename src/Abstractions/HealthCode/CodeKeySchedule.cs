using System.Globalization;

namespace Sanmenxia.HealthCode;

/// <summary>When one signing key signs and verifies: it is published <see cref="PublishFrom"/>, signs from
/// <see cref="NotBefore"/> until <see cref="SignUntil"/>, and verifies until <see cref="VerifyUntil"/>.</summary>
public sealed record CodeKeyWindow(string KeyId, DateTimeOffset PublishFrom, DateTimeOffset NotBefore, DateTimeOffset SignUntil,
    DateTimeOffset VerifyUntil);

/// <summary>
/// The rotation of the code-signing keys, as a pure rule of time. Time is cut into slots of <c>rotateEvery</c> from the
/// Unix epoch; each slot has one key (its id names the slot's start, so every API process that creates it agrees).
/// A key is created and published <c>overlap</c> before its slot starts (a checkpoint that fetched the keys within the
/// overlap already knows it when it starts signing), signs during its slot, and keeps verifying for <c>overlap</c>
/// after the slot ends (tokens and offline passes signed just before the switch still verify). After that it is retired.
/// </summary>
public sealed class CodeKeySchedule
{
    public CodeKeySchedule(TimeSpan rotateEvery, TimeSpan overlap)
    {
        if (rotateEvery < TimeSpan.FromMinutes(1)) throw new ArgumentOutOfRangeException(nameof(rotateEvery), "must be at least a minute");
        if (overlap <= TimeSpan.Zero || overlap > rotateEvery)
            throw new ArgumentOutOfRangeException(nameof(overlap), "must be positive and at most the rotation period");
        RotateEvery = rotateEvery;
        Overlap = overlap;
    }

    public TimeSpan RotateEvery { get; }
    public TimeSpan Overlap { get; }

    /// <summary>The window of the slot that contains <paramref name="at"/>.</summary>
    public CodeKeyWindow SlotAt(DateTimeOffset at)
    {
        var ticks = (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / RotateEvery.Ticks * RotateEvery.Ticks;
        var start = new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + ticks, TimeSpan.Zero);
        return new CodeKeyWindow("k" + start.ToString("yyyyMMdd'T'HHmm'Z'", CultureInfo.InvariantCulture), start - Overlap, start,
            start + RotateEvery, start + RotateEvery + Overlap);
    }

    /// <summary>The keys that must exist at <paramref name="now"/>: the current slot's, and the next one's once it is due to be published.</summary>
    public IReadOnlyList<CodeKeyWindow> Needed(DateTimeOffset now)
    {
        var current = SlotAt(now);
        var next = SlotAt(current.SignUntil);
        return now >= next.PublishFrom ? [current, next] : [current];
    }

    /// <summary>Of the given windows, the one to sign with at <paramref name="now"/>: in its signing slot, the latest start first.</summary>
    public static T? Signer<T>(IEnumerable<T> keys, Func<T, CodeKeyWindow> window, DateTimeOffset now) where T : class =>
        keys.Where(k => window(k).NotBefore <= now && now < window(k).SignUntil).OrderByDescending(k => window(k).NotBefore).FirstOrDefault();

    /// <summary>Whether a key is published (in the JWKS) at <paramref name="now"/>: from its publication until it retires.</summary>
    public static bool Published(CodeKeyWindow window, DateTimeOffset now) => window.PublishFrom <= now && now < window.VerifyUntil;
}
