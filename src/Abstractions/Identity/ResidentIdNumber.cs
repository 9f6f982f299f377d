using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sanmenxia.Identity;

// An 18-character mainland resident ID number (GB 11643). It is personal data, so ToString() is the
// masked form: an accidental log line or interpolated string never shows the full number.
[GenerateSerializer, Immutable, Alias("sanmenxia.ResidentIdNumber")]
public readonly record struct ResidentIdNumber
{
    public const int Length = 18;

    // Earliest birth date accepted; older dates are typing errors rather than living residents.
    public static readonly DateOnly EarliestBirthDate = new(1900, 1, 1);

    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    // Mainland China time decides "today" for the parameterless overloads (birth dates are local dates).
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    [Id(0)] private readonly string? _value;

    private ResidentIdNumber(string value) => _value = value;

    // The full, normalised number (upper-case X). Use it only where the full number is required.
    public string Value => _value ?? throw new InvalidOperationException("The resident ID number is not initialised.");

    public string AreaCode => Value[..6];

    public DateOnly BirthDate => DateOnly.ParseExact(Value.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture);

    public int Sequence => int.Parse(Value.AsSpan(14, 3), CultureInfo.InvariantCulture);

    // GB 11643: an odd sequence number is assigned to men, even to women.
    public bool IsMale => Sequence % 2 == 1;

    // Keeps the first 4 and last 2 characters so staff can match a card by eye without seeing the number.
    public string Masked => _value is null ? string.Empty : string.Concat(_value.AsSpan(0, 4), new string('*', 12), _value.AsSpan(16, 2));

    public override string ToString() => Masked;

    // Keyed pseudonym (HMAC-SHA256, lower-case hex) for grain keys, URLs and logs, where the number
    // must not appear in clear but the same person must map to the same key.
    public string ToPseudonym(ReadOnlySpan<byte> key)
    {
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(Value), hash);
        return Convert.ToHexStringLower(hash);
    }

    public static ResidentIdNumber Parse(string input) => Parse(input, ChinaToday());

    public static ResidentIdNumber Parse(string input, DateOnly today) =>
        TryParse(input, today, out var id, out var error) ? id : throw new FormatException($"Resident ID number {error}.");

    public static bool TryParse([NotNullWhen(true)] string? input, out ResidentIdNumber id, [NotNullWhen(false)] out string? error) =>
        TryParse(input, ChinaToday(), out id, out error);

    public static bool TryParse([NotNullWhen(true)] string? input, DateOnly today, out ResidentIdNumber id, [NotNullWhen(false)] out string? error)
    {
        id = default;
        error = Validate(input?.Trim(), today);
        if (error is not null)
        {
            return false;
        }

        id = new ResidentIdNumber(input!.Trim().ToUpperInvariant());
        return true;
    }

    // ISO 7064 MOD 11-2 over the first 17 digits.
    public static string ComputeCheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != Length - 1)
        {
            throw new ArgumentException("Exactly 17 digits are required.", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < first17.Length; i++)
        {
            var c = first17[i];
            if (!char.IsAsciiDigit(c))
            {
                throw new ArgumentException($"Character {i + 1} is not a digit.", nameof(first17));
            }

            sum += (c - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11].ToString();
    }

    // Builds a valid number (for tests and the load tester); the check character is computed.
    public static ResidentIdNumber Create(string areaCode6, DateOnly birthDate, int sequence3)
    {
        ArgumentNullException.ThrowIfNull(areaCode6);
        if (areaCode6.Length != 6 || !areaCode6.All(char.IsAsciiDigit) || areaCode6[0] is '0' or '9')
        {
            throw new ArgumentException("The area code must be 6 digits starting with 1-8.", nameof(areaCode6));
        }

        if (birthDate < EarliestBirthDate)
        {
            throw new ArgumentOutOfRangeException(nameof(birthDate), birthDate, "The birth date must not be before 1900-01-01.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(sequence3, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence3, 999);

        var first17 = string.Create(CultureInfo.InvariantCulture, $"{areaCode6}{birthDate:yyyyMMdd}{sequence3:D3}");
        return new ResidentIdNumber(first17 + ComputeCheckCharacter(first17));
    }

    // Returns the first problem found, phrased to follow "Resident ID number ...".
    private static string? Validate(string? input, DateOnly today)
    {
        if (string.IsNullOrEmpty(input))
        {
            return "is required";
        }

        if (input.Length != Length)
        {
            return $"must be 18 characters (got {input.Length})";
        }

        for (var i = 0; i < Length - 1; i++)
        {
            if (!char.IsAsciiDigit(input[i]))
            {
                return $"must have digits in positions 1-17 (position {i + 1} is '{input[i]}')";
            }
        }

        var check = char.ToUpperInvariant(input[Length - 1]);
        if (!char.IsAsciiDigit(check) && check != 'X')
        {
            return $"must end with a digit or X (got '{input[Length - 1]}')";
        }

        // Province codes run from 11 to 82; a leading 0 or 9 is a typing error.
        if (input[0] is '0' or '9')
        {
            return $"area code {input[..6]} is not a mainland area code";
        }

        var birthText = input.Substring(6, 8);
        if (!DateOnly.TryParseExact(birthText, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birthDate))
        {
            return $"birth date {birthText} is not a real date";
        }

        if (birthDate < EarliestBirthDate)
        {
            return $"birth date {birthText} is before 1900-01-01";
        }

        if (birthDate > today)
        {
            return $"birth date {birthText} is in the future";
        }

        if (input.AsSpan(14, 3) is "000")
        {
            return "sequence number 000 is never issued";
        }

        var expected = ComputeCheckCharacter(input.AsSpan(0, Length - 1));
        if (expected[0] != check)
        {
            return $"check character should be {expected}";
        }

        return null;
    }

    private static DateOnly ChinaToday() => DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().ToOffset(ChinaOffset).DateTime);
}
