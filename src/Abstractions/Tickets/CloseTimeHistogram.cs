using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Sanmenxia.Tickets;

/// <summary>
/// Receipt-to-close times in fixed buckets, so regions can add them up (medians do not add; histograms do) and compute
/// percentiles from the sum. Buckets, in hours: one hour wide up to 24 h, two hours to 48 h, four hours to 72 h,
/// twelve hours to 168 h (a week), a day to 336 h (two weeks), then one open bucket. A percentile is interpolated
/// within its bucket, so it is off by at most the bucket's width (1 h for tickets closed within a day, the 72 h close
/// deadline is resolved to 4 h); a percentile falling in the open bucket is reported as 336 h ("two weeks or more").
/// Immutable: every operation returns a new histogram. Trailing empty buckets are not stored (an empty one is []).
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CloseTimeHistogram")]
public sealed class CloseTimeHistogram : IEquatable<CloseTimeHistogram>
{
    /// <summary>The exclusive upper bound, in hours, of every bucket but the last (open-ended) one.</summary>
    public static ImmutableArray<int> UpperBounds { get; } = BuildBounds();

    /// <summary>Number of buckets: one per upper bound, plus the open one.</summary>
    public static int BucketCount => UpperBounds.Length + 1;

    public static CloseTimeHistogram Empty { get; } = new();

    public CloseTimeHistogram() { }

    private CloseTimeHistogram(int[] buckets) => Buckets = Trim(buckets);

    /// <summary>Count per bucket, lowest first; missing trailing buckets are zero. Public for serialization only.</summary>
    [Id(0)] public int[] Buckets { get; init; } = [];

    /// <summary>How many times are counted.</summary>
    [JsonIgnore] public int Count => Buckets.Sum();

    public static CloseTimeHistogram Of(double hours) => Empty.Add(hours, 1);

    /// <summary>The bucket a time falls in (negative times count as zero).</summary>
    public static int BucketOf(double hours)
    {
        if (double.IsNaN(hours) || hours < 0) hours = 0;
        var lo = 0;
        var hi = UpperBounds.Length; // the open bucket
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (hours < UpperBounds[mid]) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>Lower bound (inclusive) of a bucket, in hours.</summary>
    public static int LowerBound(int bucket) => bucket == 0 ? 0 : UpperBounds[bucket - 1];

    /// <summary>Adds (sign 1) or takes out (sign −1) one time.</summary>
    public CloseTimeHistogram Add(double hours, int sign)
    {
        var bucket = BucketOf(hours);
        var counts = new int[Math.Max(Buckets.Length, bucket + 1)];
        Buckets.CopyTo(counts, 0);
        counts[bucket] += sign;
        return new CloseTimeHistogram(counts);
    }

    public static CloseTimeHistogram operator +(CloseTimeHistogram? a, CloseTimeHistogram? b)
    {
        a ??= Empty;
        b ??= Empty;
        if (b.Buckets.Length == 0) return a;
        if (a.Buckets.Length == 0) return b;
        var counts = new int[Math.Max(a.Buckets.Length, b.Buckets.Length)];
        for (var i = 0; i < counts.Length; i++) counts[i] = a.At(i) + b.At(i);
        return new CloseTimeHistogram(counts);
    }

    public static CloseTimeHistogram operator -(CloseTimeHistogram a) => new(a.Buckets.Select(c => -c).ToArray());

    /// <summary>
    /// The <paramref name="p"/> quantile (0 &lt; p ≤ 1) in hours, null when empty: the bucket holding the nearest-rank
    /// time (rank ⌈p·n⌉), interpolated within it by the rank's position (a lone time in a bucket is its midpoint).
    /// </summary>
    public double? Percentile(double p)
    {
        var n = Count;
        if (n <= 0) return null;
        var rank = Math.Max(1, (int)Math.Ceiling(p * n));
        var before = 0;
        for (var i = 0; i < Buckets.Length; i++)
        {
            var c = Buckets[i];
            if (c <= 0 || before + c < rank) { before += Math.Max(0, c); continue; }
            if (i == UpperBounds.Length) return LowerBound(i);
            var lower = LowerBound(i);
            return lower + (UpperBounds[i] - lower) * ((rank - before) - 0.5) / c;
        }
        return LowerBound(Buckets.Length - 1);
    }

    private int At(int i) => i < Buckets.Length ? Buckets[i] : 0;

    private static int[] Trim(int[] counts)
    {
        var length = counts.Length;
        while (length > 0 && counts[length - 1] == 0) length--;
        return length == counts.Length ? counts : counts[..length];
    }

    private static ImmutableArray<int> BuildBounds()
    {
        var bounds = ImmutableArray.CreateBuilder<int>();
        for (var h = 1; h <= 24; h++) bounds.Add(h);
        for (var h = 26; h <= 48; h += 2) bounds.Add(h);
        for (var h = 52; h <= 72; h += 4) bounds.Add(h);
        for (var h = 84; h <= 168; h += 12) bounds.Add(h);
        for (var h = 192; h <= 336; h += 24) bounds.Add(h);
        return bounds.ToImmutable();
    }

    public bool Equals(CloseTimeHistogram? other) =>
        other is not null && Trim(Buckets).AsSpan().SequenceEqual(Trim(other.Buckets));

    public override bool Equals(object? obj) => Equals(obj as CloseTimeHistogram);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var c in Trim(Buckets)) hash.Add(c);
        return hash.ToHashCode();
    }

    public static bool operator ==(CloseTimeHistogram? a, CloseTimeHistogram? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(CloseTimeHistogram? a, CloseTimeHistogram? b) => !(a == b);
}
