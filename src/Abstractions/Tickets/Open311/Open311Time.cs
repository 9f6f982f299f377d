using System.Globalization;

namespace Sanmenxia.Tickets.Open311;

/// <summary>
/// Open311 times (pure): ISO 8601 / W3C with the offset of the city's time zone (2020-02-05T08:15:30+08:00), and the
/// search window of GET requests (at most 90 days; by default the most recent 90).
/// </summary>
public static class Open311Time
{
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(90);

    public static string Format(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static readonly string[] WithOffset =
        ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK"];

    /// <summary>A W3C date-time with Z or an offset, or a date alone (its midnight in the city's time zone).</summary>
    public static bool TryParse(string? text, TimeZoneInfo zone, out DateTimeOffset instant)
    {
        instant = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 40) return false;
        text = text.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var midnight = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
            instant = new DateTimeOffset(midnight, zone.GetUtcOffset(midnight));
            return true;
        }
        // K demands an offset or Z here: a time without one would be read in the server's zone, so it is refused.
        if (!text.EndsWith('Z') && !HasOffset(text)) return false;
        return DateTimeOffset.TryParseExact(text, WithOffset, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
    }

    private static bool HasOffset(string text) => text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':';

    /// <summary>
    /// The window [from, to] of a search: both given (to not before from, at most 90 days apart); one given (90 days from
    /// it, or up to it); none (the most recent 90 days before <paramref name="now"/>). Null with the reason otherwise.
    /// </summary>
    public static (DateTimeOffset From, DateTimeOffset To)? Window(DateTimeOffset? start, DateTimeOffset? end, DateTimeOffset now, out string? error)
    {
        error = null;
        var (from, to) = (start, end) switch
        {
            ({ } s, { } e) => (s, e),
            ({ } s, null) => (s, s + MaxWindow),
            (null, { } e) => (e - MaxWindow, e),
            _ => (now - MaxWindow, now),
        };
        if (to < from) error = "end_date must not be before start_date";
        else if (to - from > MaxWindow) error = "start_date and end_date may not span more than 90 days";
        return error is null ? (from, to) : null;
    }
}
