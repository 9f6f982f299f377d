using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Sanmenxia.Tickets;

/// <summary>Human-readable ticket numbers: 12345-YYYYMMDD-NNNNNN (the receipt day in the city's calendar, then a per-day sequence).</summary>
public static class TicketNumbers
{
    public const int MaxPerDay = 999_999;

    public static string Format(DateOnly day, int sequence)
    {
        if (sequence is < 1 or > MaxPerDay) throw new ArgumentOutOfRangeException(nameof(sequence), sequence, $"must be 1..{MaxPerDay}");
        return string.Create(CultureInfo.InvariantCulture, $"12345-{day:yyyyMMdd}-{sequence:D6}");
    }

    /// <summary>The counter grain's key for a day.</summary>
    public static string DayKey(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static bool TryParse([NotNullWhen(true)] string? text, out DateOnly day, out int sequence)
    {
        day = default;
        sequence = 0;
        if (text is not { Length: 21 } || !text.StartsWith("12345-", StringComparison.Ordinal) || text[14] != '-') return false;
        if (!DateOnly.TryParseExact(text.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day)) return false;
        if (!text.AsSpan(15, 6).ToString().All(char.IsAsciiDigit)) return false;
        sequence = int.Parse(text.AsSpan(15, 6), CultureInfo.InvariantCulture);
        return sequence >= 1;
    }

    public static bool IsValid([NotNullWhen(true)] string? text) => TryParse(text, out _, out _);
}
