using System.Text.RegularExpressions;

namespace Sanmenxia.Tickets.Open311;

/// <summary>
/// Masks what looks like a phone or ID number in free text shown to the public (pure). Every character of a match becomes
/// '*', so nothing of the number is left: an 18-character resident ID (17 digits and a digit or X), any run of 11 or more
/// digits (a mobile or landline number with its area code, a bank card), and an 11-digit number written in groups with
/// spaces or hyphens (138 0013 8000, 138-0013-8000, +86 138…, 0398-1234567). Shorter numbers (dates, amounts, house
/// numbers) are left as written.
/// </summary>
public static partial class PersonalDataMask
{
    public static string? Apply(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        var masked = IdNumber().Replace(text, Stars);
        masked = LongDigits().Replace(masked, Stars);
        return GroupedPhone().Replace(masked, Stars);
    }

    private static string Stars(Match m) => new('*', m.Length);

    [GeneratedRegex(@"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex IdNumber();

    [GeneratedRegex(@"[0-9]{11,}", RegexOptions.CultureInvariant)]
    private static partial Regex LongDigits();

    // 11 digits in groups of 3-4-4 or 4-7 / 4-3-4 (area code), optionally after +86; digits on either side break it.
    [GeneratedRegex(@"(?<![0-9])(?:\+?86[ -]?)?(?:[0-9]{3}[ -][0-9]{4}[ -][0-9]{4}|[0-9]{4}[ -][0-9]{7}|[0-9]{4}[ -][0-9]{3}[ -][0-9]{4}|[0-9]{3}[ -][0-9]{8})(?![0-9])",
        RegexOptions.CultureInvariant)]
    private static partial Regex GroupedPhone();
}
