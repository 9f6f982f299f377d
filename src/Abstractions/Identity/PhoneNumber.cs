using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Sanmenxia.Identity;

// A mainland mobile number (11 digits, 1[3-9]xxxxxxxxx). Personal data: ToString() is masked.
[GenerateSerializer, Immutable, Alias("sanmenxia.PhoneNumber")]
public readonly record struct PhoneNumber
{
    public const int Length = 11;

    [Id(0)] private readonly string? _value;

    private PhoneNumber(string value) => _value = value;

    // The 11 normalised digits, without country code or separators.
    public string Value => _value ?? throw new InvalidOperationException("The phone number is not initialised.");

    // 138****5678: the carrier prefix and last 4 digits are enough to confirm a number with its owner.
    public string Masked => _value is null ? string.Empty : string.Concat(_value.AsSpan(0, 3), "****", _value.AsSpan(7, 4));

    public override string ToString() => Masked;

    public static PhoneNumber Parse(string input) =>
        TryParse(input, out var phone, out var error) ? phone : throw new FormatException($"Phone number {error}.");

    public static bool TryParse([NotNullWhen(true)] string? input, out PhoneNumber phone) => TryParse(input, out phone, out _);

    public static bool TryParse([NotNullWhen(true)] string? input, out PhoneNumber phone, [NotNullWhen(false)] out string? error)
    {
        phone = default;
        if (string.IsNullOrWhiteSpace(input))
        {
            error = "is required";
            return false;
        }

        // People type numbers as they see them printed: "+86 138-1234-5678", "0086 13812345678".
        var digits = new StringBuilder(input.Length);
        foreach (var c in input.Trim())
        {
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (c is not (' ' or '-' or '+'))
            {
                error = $"may contain only digits, spaces, dashes and a leading +86 (found '{c}')";
                return false;
            }
        }

        var plusCount = input.Count(c => c == '+');
        if (plusCount > 1 || (plusCount == 1 && !input.TrimStart().StartsWith("+86", StringComparison.Ordinal)))
        {
            error = "may use + only in a leading +86";
            return false;
        }

        var text = digits.ToString();
        if (text.Length == Length + 4 && text.StartsWith("0086", StringComparison.Ordinal))
        {
            text = text[4..];
        }
        else if (text.Length == Length + 2 && text.StartsWith("86", StringComparison.Ordinal))
        {
            text = text[2..];
        }

        if (text.Length != Length)
        {
            error = $"must have 11 digits (got {text.Length})";
            return false;
        }

        if (text[0] != '1' || text[1] < '3')
        {
            error = "must start with 13-19 (mainland mobile)";
            return false;
        }

        phone = new PhoneNumber(text);
        error = null;
        return true;
    }
}
