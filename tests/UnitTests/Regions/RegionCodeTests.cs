using Sanmenxia.Regions;
using Xunit;

namespace Sanmenxia.UnitTests.Regions;

public class RegionCodeTests
{
    private static RegionCode Code(string value) => RegionCode.Parse(value);

    [Theory]
    [InlineData("411200", RegionLevel.City)]
    [InlineData("411202", RegionLevel.County)]
    [InlineData("411282", RegionLevel.County)]
    [InlineData("411202001", RegionLevel.Township)]
    [InlineData("411202001002", RegionLevel.Village)]
    public void Level_follows_length_and_trailing_zeros(string value, RegionLevel level)
    {
        Assert.Equal(level, Code(value).Level);
        Assert.Equal(value, Code(value).Value);
        Assert.Equal(value, Code(value).ToString());
    }

    [Theory]
    [InlineData("411202001002", "411202001")]
    [InlineData("411202001", "411202")]
    [InlineData("411202", "411200")]
    [InlineData("411282", "411200")]
    public void Parent_is_the_prefix_one_level_up(string child, string parent)
    {
        Assert.Equal(Code(parent), Code(child).Parent);
    }

    [Fact]
    public void City_has_no_parent_and_no_ancestors()
    {
        Assert.Null(Code("411200").Parent);
        Assert.Empty(Code("411200").Ancestors());
    }

    [Fact]
    public void Ancestors_are_nearest_first_and_exclude_self()
    {
        var ancestors = Code("411224003017").Ancestors().Select(c => c.Value).ToArray();

        Assert.Equal(["411224003", "411224", "411200"], ancestors);
    }

    [Theory]
    [InlineData("411202001002", "411202001002", true)]
    [InlineData("411202001002", "411202001", true)]
    [InlineData("411202001002", "411202", true)]
    [InlineData("411202001002", "411200", true)]
    [InlineData("411202", "411200", true)]
    [InlineData("411200", "411200", true)]
    [InlineData("411202001002", "411202002", false)]
    [InlineData("411202001002", "411203", false)]
    [InlineData("411202001002", "411300", false)]
    [InlineData("411202", "411202001", false)]
    [InlineData("411200", "411202", false)]
    [InlineData("411202001", "411202001002", false)]
    [InlineData("411302", "411200", false)]
    public void IsWithin_tests_the_jurisdiction(string code, string ancestor, bool expected)
    {
        Assert.Equal(expected, Code(code).IsWithin(Code(ancestor)));
    }

    [Fact]
    public void Code_is_within_each_of_its_ancestors()
    {
        var village = Code("411282010020");

        Assert.All(village.Ancestors(), a => Assert.True(village.IsWithin(a), a.Value));
    }

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("", "is required")]
    [InlineData("41120", "must have 6, 9 or 12 digits (got 5 characters)")]
    [InlineData("4112020", "must have 6, 9 or 12 digits (got 7 characters)")]
    [InlineData("41120a", "41120a must contain digits only")]
    [InlineData("410000", "410000 is a province code, which is outside the city/county/township/village tree")]
    [InlineData("411202000", "411202000 has township part 000")]
    [InlineData("411202001000", "411202001000 has village part 000")]
    public void Invalid_codes_are_rejected(string? input, string expected)
    {
        Assert.False(RegionCode.TryParse(input, out var code, out var error));

        Assert.Equal(expected, error);
        Assert.Equal(default, code);
    }

    [Fact]
    public void Parse_throws_FormatException()
    {
        Assert.Throws<FormatException>(() => RegionCode.Parse("4112"));
    }

    [Fact]
    public void Codes_are_equal_by_value_and_ordered_ordinally()
    {
        Assert.Equal(Code("411202"), Code("411202"));
        Assert.True(Code("411202").CompareTo(Code("411202001")) < 0);
        Assert.True(Code("411282").CompareTo(Code("411224")) > 0);
    }
}
