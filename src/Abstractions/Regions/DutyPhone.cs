namespace Sanmenxia.Regions;

/// <summary>
/// A village's public duty phone (值班电话): an office number residents are told to call, not personal data. Digits and
/// dashes only ("0398-2821234", "12345"), 7 to 20 characters, starting and ending with a digit, no two dashes together.
/// Spaces a person typed are dropped before the check.
/// </summary>
public static class DutyPhone
{
    public const int MinLength = 7;
    public const int MaxLength = 20;

    /// <summary>The reasons a duty phone is refused (the API's field errors; helper l10n translates them).</summary>
    public const string BadCharacters = "must contain only digits and dashes";
    public const string BadLength = "must be 7 to 20 characters";
    public const string BadShape = "must start and end with a digit, with no two dashes together";

    /// <summary>The normalised number, or the reason it is refused.</summary>
    public static bool TryParse(string? value, out string phone, out string? error)
    {
        phone = (value ?? string.Empty).Replace(" ", string.Empty, StringComparison.Ordinal).Trim();
        error = null;
        if (phone.Any(c => c is not (>= '0' and <= '9') and not '-')) error = BadCharacters;
        else if (phone.Length is < MinLength or > MaxLength) error = BadLength;
        else if (phone[0] == '-' || phone[^1] == '-' || phone.Contains("--", StringComparison.Ordinal)) error = BadShape;
        if (error is not null) phone = string.Empty;
        return error is null;
    }
}
