using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Sanmenxia.Security;

namespace Sanmenxia.UnitTests.Security;

// docs/domain.md: ID and phone numbers are personal data and must not appear in logs, URLs or grain keys in clear. Keys are
// keyed hashes (Privacy:KeySecret), stable across processes so a restarted cluster finds the same grains.
public sealed class PseudonymousKeysTests
{
    private static readonly PseudonymousKeys Keys = new("unit-test pseudonym secret");
    private const string IdNumber = "41120219800101001X";
    private const string Phone = "13800138000";

    [Theory]
    [InlineData("")]
    [InlineData("                    ")]
    [InlineData("fifteen chars!!")]
    public void A_short_or_blank_secret_is_refused(string secret)
    {
        var refused = Assert.Throws<ArgumentException>(() => new PseudonymousKeys(secret));
        Assert.Contains("Privacy:KeySecret", refused.Message);
    }

    [Fact]
    public void A_secret_of_sixteen_characters_is_enough() => Assert.StartsWith("r", new PseudonymousKeys("sixteen chars!!!").ForIdNumber(IdNumber));

    [Fact]
    public void Resident_keys_are_r_and_26_lower_case_base32_characters()
    {
        Assert.Matches("^r[a-z2-7]{26}$", Keys.ForIdNumber(IdNumber));
        Assert.Matches("^p[a-z2-7]{26}$", Keys.ForPhone(Phone));
    }

    [Fact]
    public void Keys_are_stable_for_one_secret_and_differ_between_secrets()
    {
        Assert.Equal(Keys.ForIdNumber(IdNumber), new PseudonymousKeys("unit-test pseudonym secret").ForIdNumber(IdNumber));
        Assert.NotEqual(Keys.ForIdNumber(IdNumber), new PseudonymousKeys("another city's pseudonym secret").ForIdNumber(IdNumber));
    }

    [Fact]
    public void A_key_for_a_known_input_never_changes()
    {
        // Stored grain keys depend on this: a change of algorithm would orphan every resident's state.
        // Expected values computed independently: base32(HMAC-SHA256(secret, "id:" + number)[..16]), lower case, unpadded.
        Assert.Equal("rkfhmcwfwqp3t7ju37yhd5pb5nu", Keys.ForIdNumber(IdNumber));
        Assert.Equal("pqhrbc27lvyndartlj7ttaotlyq", Keys.ForPhone(Phone));
    }

    [Fact]
    public void The_same_digits_as_an_id_and_as_a_phone_give_unrelated_keys()
    {
        var digits = "13800138000";

        Assert.NotEqual(Keys.ForIdNumber(digits)[1..], Keys.ForPhone(digits)[1..]);
    }

    [Property]
    public Property Different_inputs_give_different_keys() =>
        Prop.ForAll(Gen.Choose(0, 99_999_999).Two().ToArbitrary(), pair =>
            pair.Item1 == pair.Item2
            || Keys.ForPhone("138" + pair.Item1.ToString("D8")) != Keys.ForPhone("138" + pair.Item2.ToString("D8")));

    [Property]
    public Property Every_key_is_url_and_log_safe() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), n =>
            Keys.ForIdNumber(n.ToString()).All(c => c is >= 'a' and <= 'z' or >= '2' and <= '7'));
}
