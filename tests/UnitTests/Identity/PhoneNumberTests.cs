using Sanmenxia.Identity;
using Xunit;

namespace Sanmenxia.UnitTests.Identity;

public class PhoneNumberTests
{
    [Theory]
    [InlineData("13812345678")]
    [InlineData("138 1234 5678")]
    [InlineData("138-1234-5678")]
    [InlineData(" 138-1234-5678 ")]
    [InlineData("+86 138 1234 5678")]
    [InlineData("+86-138-1234-5678")]
    [InlineData("+8613812345678")]
    [InlineData("0086 13812345678")]
    [InlineData("8613812345678")]
    public void Accepted_forms_normalise_to_eleven_digits(string input)
    {
        Assert.True(PhoneNumber.TryParse(input, out var phone, out var error), error);

        Assert.Equal("13812345678", phone.Value);
        Assert.Equal(PhoneNumber.Parse("13812345678"), phone);
    }

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("   ", "is required")]
    [InlineData("1381234567", "must have 11 digits (got 10)")]
    [InlineData("138123456789", "must have 11 digits (got 12)")]
    [InlineData("12812345678", "must start with 13-19 (mainland mobile)")]
    [InlineData("23812345678", "must start with 13-19 (mainland mobile)")]
    [InlineData("138a2345678", "may contain only digits, spaces, dashes and a leading +86 (found 'a')")]
    [InlineData("+85 13812345678", "may use + only in a leading +86")]
    [InlineData("138+12345678", "may use + only in a leading +86")]
    [InlineData("++8613812345678", "may use + only in a leading +86")]
    public void Invalid_inputs_are_rejected_with_a_reason(string? input, string expected)
    {
        Assert.False(PhoneNumber.TryParse(input, out var phone, out var error));

        Assert.Equal(expected, error);
        Assert.Equal(default, phone);
    }

    [Theory]
    [InlineData("13012345678")]
    [InlineData("15912345678")]
    [InlineData("19912345678")]
    public void Every_mobile_prefix_from_13_to_19_is_accepted(string input)
    {
        Assert.True(PhoneNumber.TryParse(input, out _));
    }

    [Fact]
    public void Masked_keeps_prefix_and_last_four_and_ToString_is_masked()
    {
        var phone = PhoneNumber.Parse("+86 138-1234-5678");

        Assert.Equal("138****5678", phone.Masked);
        Assert.Equal("138****5678", $"{phone}");
    }

    [Fact]
    public void Parse_throws_FormatException_with_reason()
    {
        var e = Assert.Throws<FormatException>(() => PhoneNumber.Parse("12812345678"));

        Assert.Contains("must start with 13-19", e.Message);
    }

    [Fact]
    public void Default_value_is_empty_when_printed_and_refuses_Value()
    {
        PhoneNumber phone = default;

        Assert.Equal(string.Empty, phone.ToString());
        Assert.Throws<InvalidOperationException>(() => phone.Value);
    }
}
