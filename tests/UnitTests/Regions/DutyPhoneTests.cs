using Sanmenxia.Regions;

namespace Sanmenxia.UnitTests.Regions;

public sealed class DutyPhoneTests
{
    [Theory]
    [InlineData("0398-2821234", "0398-2821234")]
    [InlineData("12345-67", "12345-67")]
    [InlineData(" 0398 282 1234 ", "03982821234")]
    [InlineData("1234567", "1234567")]
    [InlineData("12345678901234567890", "12345678901234567890")]
    public void Digits_and_dashes_of_7_to_20_characters_are_a_duty_phone(string value, string expected)
    {
        Assert.True(DutyPhone.TryParse(value, out var phone, out var error), error);
        Assert.Equal(expected, phone);
        Assert.Null(error);
    }

    [Theory]
    [InlineData(null, DutyPhone.BadLength)]
    [InlineData("", DutyPhone.BadLength)]
    [InlineData("123456", DutyPhone.BadLength)]
    [InlineData("123456789012345678901", DutyPhone.BadLength)]
    [InlineData("0398-282123a", DutyPhone.BadCharacters)]
    [InlineData("+8613800000000", DutyPhone.BadCharacters)]
    [InlineData("(0398)2821234", DutyPhone.BadCharacters)]
    [InlineData("-03982821234", DutyPhone.BadShape)]
    [InlineData("03982821234-", DutyPhone.BadShape)]
    [InlineData("0398--2821234", DutyPhone.BadShape)]
    public void Anything_else_is_refused_with_its_reason(string? value, string reason)
    {
        Assert.False(DutyPhone.TryParse(value, out var phone, out var error));
        Assert.Equal(reason, error);
        Assert.Equal("", phone);
    }
}
