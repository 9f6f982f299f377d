using Sanmenxia.Identity;
using Xunit;

namespace Sanmenxia.UnitTests.Identity;

public class NameMaskingTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("张", "张")]
    [InlineData("李四", "李*")]
    [InlineData("王小明", "王*明")]
    [InlineData("欧阳娜娜", "欧**娜")]
    [InlineData("Ann", "A*n")]
    public void Keeps_the_first_and_last_character_and_masks_the_rest(string name, string masked) =>
        Assert.Equal(masked, NameMasking.Mask(name));

    [Fact]
    public void A_masked_name_is_as_long_as_the_name() =>
        Assert.Equal("司马相如".Length, NameMasking.Mask("司马相如").Length);
}
