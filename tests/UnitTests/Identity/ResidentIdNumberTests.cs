using System.Text;
using Sanmenxia.Identity;
using Xunit;

namespace Sanmenxia.UnitTests.Identity;

public class ResidentIdNumberTests
{
    private const string PublishedExample = "11010519491231002X";
    private static readonly DateOnly Today = new(2020, 3, 2);

    // A valid 18-character number built from 17 digits with the check character the rules compute.
    private static string WithCheck(string first17) => first17 + ResidentIdNumber.ComputeCheckCharacter(first17);

    [Fact]
    public void Published_example_is_valid_and_decoded()
    {
        Assert.True(ResidentIdNumber.TryParse(PublishedExample, Today, out var id, out var error), error);

        Assert.Null(error);
        Assert.Equal(PublishedExample, id.Value);
        Assert.Equal("110105", id.AreaCode);
        Assert.Equal(new DateOnly(1949, 12, 31), id.BirthDate);
        Assert.Equal(2, id.Sequence);
        Assert.False(id.IsMale);
    }

    [Fact]
    public void Check_character_of_published_example_is_X()
    {
        Assert.Equal("X", ResidentIdNumber.ComputeCheckCharacter("11010519491231002"));
    }

    // ISO 7064 MOD 11-2 stated independently of the weight table: sum(a_i * 2^(18-i)) mod 11 == 1, X = 10.
    private static bool SatisfiesIso7064(string value)
    {
        var sum = 0L;
        for (var i = 0; i < 18; i++)
        {
            var digit = value[i] == 'X' ? 10 : value[i] - '0';
            sum += digit * (1L << (17 - i));
        }

        return sum % 11 == 1;
    }

    [Fact]
    public void Computed_check_characters_satisfy_the_standard_equation_and_cover_all_eleven_values()
    {
        var seen = new HashSet<char>();
        for (var sequence = 1; sequence <= 200; sequence++)
        {
            var id = ResidentIdNumber.Create("411202", new DateOnly(1985, 6, 15), sequence);
            Assert.True(SatisfiesIso7064(id.Value), id.Value);
            seen.Add(id.Value[17]);
        }

        Assert.Equal("0123456789X".ToHashSet(), seen);
    }

    [Theory]
    [InlineData("411202", 1985, 6, 15, 1, true)]
    [InlineData("411282", 2000, 2, 29, 18, false)]
    [InlineData("411224", 1900, 1, 1, 999, true)]
    [InlineData("110105", 1949, 12, 31, 2, false)]
    public void Create_round_trips_through_Parse(string area, int year, int month, int day, int sequence, bool male)
    {
        var created = ResidentIdNumber.Create(area, new DateOnly(year, month, day), sequence);

        var parsed = ResidentIdNumber.Parse(created.Value, Today);

        Assert.Equal(created, parsed);
        Assert.Equal(area, parsed.AreaCode);
        Assert.Equal(new DateOnly(year, month, day), parsed.BirthDate);
        Assert.Equal(sequence, parsed.Sequence);
        Assert.Equal(male, parsed.IsMale);
    }

    [Fact]
    public void Lower_case_x_is_accepted_and_normalised()
    {
        var id = ResidentIdNumber.Parse("11010519491231002x", Today);

        Assert.Equal(PublishedExample, id.Value);
        Assert.Equal(ResidentIdNumber.Parse(PublishedExample, Today), id);
    }

    [Fact]
    public void Surrounding_whitespace_is_ignored()
    {
        Assert.Equal(PublishedExample, ResidentIdNumber.Parse($"  {PublishedExample} ", Today).Value);
    }

    [Fact]
    public void Masked_keeps_first_four_and_last_two_and_ToString_never_shows_the_number()
    {
        var id = ResidentIdNumber.Parse(PublishedExample, Today);

        Assert.Equal("1101************2X", id.Masked);
        Assert.Equal(id.Masked, id.ToString());
        Assert.DoesNotContain("19491231", $"{id}");
    }

    [Fact]
    public void Default_value_masks_to_empty_and_refuses_Value()
    {
        ResidentIdNumber id = default;

        Assert.Equal(string.Empty, id.ToString());
        Assert.Throws<InvalidOperationException>(() => id.Value);
    }

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("", "is required")]
    [InlineData("11010519491231002", "must be 18 characters (got 17)")]
    [InlineData("11010519491231002X1", "must be 18 characters (got 19)")]
    [InlineData("1101A519491231002X", "must have digits in positions 1-17 (position 5 is 'A')")]
    [InlineData("11010519491231002Y", "must end with a digit or X (got 'Y')")]
    [InlineData("110105194912310021", "check character should be X")]
    public void Invalid_numbers_are_rejected_with_a_specific_reason(string? input, string expected)
    {
        Assert.False(ResidentIdNumber.TryParse(input, Today, out var id, out var error));

        Assert.Equal(expected, error);
        Assert.Equal(default, id);
    }

    [Theory]
    [InlineData("41120219990231001", "birth date 19990231 is not a real date")]
    [InlineData("41120219990230001", "birth date 19990230 is not a real date")]
    [InlineData("41120219991301001", "birth date 19991301 is not a real date")]
    [InlineData("41120219000229001", "birth date 19000229 is not a real date")]
    [InlineData("41120218991231001", "birth date 18991231 is before 1900-01-01")]
    [InlineData("41120220200303001", "birth date 20200303 is in the future")]
    [InlineData("01120219850615001", "area code 011202 is not a mainland area code")]
    [InlineData("41120219850615000", "sequence number 000 is never issued")]
    public void Numbers_with_a_correct_checksum_but_impossible_content_are_rejected(string first17, string expected)
    {
        Assert.False(ResidentIdNumber.TryParse(WithCheck(first17), Today, out _, out var error));

        Assert.Equal(expected, error);
    }

    [Fact]
    public void A_birth_date_of_today_is_accepted()
    {
        Assert.True(ResidentIdNumber.TryParse(WithCheck("41120220200302001"), Today, out var id, out _));
        Assert.Equal(Today, id.BirthDate);
    }

    [Fact]
    public void Every_wrong_check_character_names_the_right_one()
    {
        foreach (var wrong in "0123456789X".Where(c => c != 'X'))
        {
            Assert.False(ResidentIdNumber.TryParse($"11010519491231002{wrong}", Today, out _, out var error));
            Assert.Equal("check character should be X", error);
        }
    }

    [Fact]
    public void Parse_throws_FormatException_carrying_the_reason()
    {
        var e = Assert.Throws<FormatException>(() => ResidentIdNumber.Parse("41120219990231001X", Today));

        Assert.Contains("birth date 19990231 is not a real date", e.Message);
    }

    [Fact]
    public void Overloads_without_a_date_use_the_current_date()
    {
        Assert.True(ResidentIdNumber.TryParse(PublishedExample, out var id, out _));
        Assert.Equal(PublishedExample, ResidentIdNumber.Parse(PublishedExample).Value);
        Assert.Equal(PublishedExample, id.Value);

        var farFuture = WithCheck("41120230000101001");
        Assert.False(ResidentIdNumber.TryParse(farFuture, out _, out var error));
        Assert.Equal("birth date 30000101 is in the future", error);
    }

    [Theory]
    [InlineData("41120", 1)]
    [InlineData("4112021", 1)]
    [InlineData("01120a", 1)]
    [InlineData("011202", 1)]
    [InlineData("411202", 0)]
    [InlineData("411202", 1000)]
    public void Create_rejects_bad_arguments(string area, int sequence)
    {
        Assert.ThrowsAny<ArgumentException>(() => ResidentIdNumber.Create(area, new DateOnly(1980, 1, 1), sequence));
    }

    [Fact]
    public void Create_rejects_birth_dates_before_1900()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ResidentIdNumber.Create("411202", new DateOnly(1899, 12, 31), 1));
    }

    [Theory]
    [InlineData("1101051949123100")]
    [InlineData("110105194912310021")]
    [InlineData("1101051949123100A")]
    public void ComputeCheckCharacter_requires_17_digits(string input)
    {
        Assert.Throws<ArgumentException>(() => ResidentIdNumber.ComputeCheckCharacter(input));
    }

    [Fact]
    public void Pseudonym_is_stable_per_key_and_hides_the_number()
    {
        var id = ResidentIdNumber.Parse(PublishedExample, Today);
        var key = Encoding.UTF8.GetBytes("test-key");

        var first = id.ToPseudonym(key);

        Assert.Equal(first, ResidentIdNumber.Parse("11010519491231002x", Today).ToPseudonym(key));
        Assert.NotEqual(first, id.ToPseudonym(Encoding.UTF8.GetBytes("other-key")));
        Assert.Equal(64, first.Length);
        Assert.DoesNotContain("19491231", first);
    }
}
