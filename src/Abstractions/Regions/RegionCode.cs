using System.Diagnostics.CodeAnalysis;

namespace Sanmenxia.Regions;

[GenerateSerializer, Alias("sanmenxia.RegionLevel")]
public enum RegionLevel
{
    City = 0,
    County = 1,
    Township = 2,
    Village = 3,
}

// A jurisdiction code in the national statistical division scheme: 6 digits for a city or county-level
// division, 9 for a township/street, 12 for a village/community. A parent's code is always a prefix of
// (or, for a city, shares the first 4 digits with) its children's codes, so "is within" is a string test
// and never needs the tree.
[GenerateSerializer, Immutable, Alias("sanmenxia.RegionCode")]
public readonly record struct RegionCode : IComparable<RegionCode>
{
    [Id(0)] private readonly string? _value;

    private RegionCode(string value) => _value = value;

    public string Value => _value ?? throw new InvalidOperationException("The region code is not initialised.");

    public RegionLevel Level => Value.Length switch
    {
        6 when Value.EndsWith("00", StringComparison.Ordinal) => RegionLevel.City,
        6 => RegionLevel.County,
        9 => RegionLevel.Township,
        _ => RegionLevel.Village,
    };

    // Village -> township (9-digit prefix), township -> county (6-digit prefix), county -> city, city -> none.
    public RegionCode? Parent => Level switch
    {
        RegionLevel.Village => new RegionCode(Value[..9]),
        RegionLevel.Township => new RegionCode(Value[..6]),
        RegionLevel.County => new RegionCode(Value[..4] + "00"),
        _ => null,
    };

    // True for the code itself and every code below it in the tree.
    public bool IsWithin(RegionCode ancestor) => ancestor.Level == RegionLevel.City
        ? Value.StartsWith(ancestor.Value.AsSpan(0, 4), StringComparison.Ordinal)
        : Value.StartsWith(ancestor.Value, StringComparison.Ordinal);

    // Nearest first, self excluded: village -> township -> county -> city.
    public IEnumerable<RegionCode> Ancestors()
    {
        for (var current = Parent; current is { } code; current = code.Parent)
        {
            yield return code;
        }
    }

    public int CompareTo(RegionCode other) => string.CompareOrdinal(_value, other._value);

    public override string ToString() => _value ?? string.Empty;

    public static RegionCode Parse(string input) =>
        TryParse(input, out var code, out var error) ? code : throw new FormatException($"Region code {error}.");

    public static bool TryParse([NotNullWhen(true)] string? input, out RegionCode code) => TryParse(input, out code, out _);

    public static bool TryParse([NotNullWhen(true)] string? input, out RegionCode code, [NotNullWhen(false)] out string? error)
    {
        code = default;
        error = Validate(input);
        if (error is not null)
        {
            return false;
        }

        code = new RegionCode(input!);
        return true;
    }

    private static string? Validate(string? input)
    {
        if (string.IsNullOrEmpty(input))
        {
            return "is required";
        }

        if (input.Length is not (6 or 9 or 12))
        {
            return $"must have 6, 9 or 12 digits (got {input.Length} characters)";
        }

        if (!input.All(char.IsAsciiDigit))
        {
            return $"{input} must contain digits only";
        }

        // "xx0000" is a province; a county under it would have itself as parent, so it is refused.
        if (input.AsSpan(2, 4) is "0000")
        {
            return $"{input[..6]} is a province code, which is outside the city/county/township/village tree";
        }

        if (input.Length >= 9 && input.AsSpan(6, 3) is "000")
        {
            return $"{input} has township part 000";
        }

        if (input.Length == 12 && input.AsSpan(9, 3) is "000")
        {
            return $"{input} has village part 000";
        }

        return null;
    }
}
