using Sanmenxia.Security;

namespace Sanmenxia.UnitTests.Security;

// Staff passwords: PBKDF2-SHA512, salted, self-describing so the cost can be raised without breaking stored hashes.
public sealed class PasswordHashingTests
{
    // A low cost keeps the tests fast; the format and the check are the same at any cost.
    private const int Cheap = 1_000;

    [Fact]
    public void The_right_password_verifies_and_a_wrong_one_does_not()
    {
        var stored = PasswordHashing.Hash("correct horse 电池 staple", Cheap);

        Assert.True(PasswordHashing.Verify("correct horse 电池 staple", stored));
        Assert.False(PasswordHashing.Verify("correct horse 电池 stapl", stored));
        Assert.False(PasswordHashing.Verify("Correct horse 电池 staple", stored));
        Assert.False(PasswordHashing.Verify("", stored));
    }

    [Fact]
    public void The_hash_names_its_scheme_cost_salt_and_hash()
    {
        var parts = PasswordHashing.Hash("pw", Cheap).Split('$');

        Assert.Equal(4, parts.Length);
        Assert.Equal("pbkdf2-sha512", parts[0]);
        Assert.Equal("1000", parts[1]);
        Assert.Equal(16, Convert.FromBase64String(parts[2]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[3]).Length);
    }

    [Fact]
    public void The_default_cost_is_the_OWASP_minimum_for_PBKDF2_SHA512()
    {
        var stored = PasswordHashing.Hash("pw");

        Assert.Equal("210000", stored.Split('$')[1]);
        Assert.True(PasswordHashing.Verify("pw", stored));
    }

    [Fact]
    public void The_same_password_hashes_differently_each_time()
    {
        var a = PasswordHashing.Hash("same", Cheap);
        var b = PasswordHashing.Hash("same", Cheap);

        Assert.NotEqual(a, b);
        Assert.True(PasswordHashing.Verify("same", a));
        Assert.True(PasswordHashing.Verify("same", b));
    }

    [Fact]
    public void A_hash_stored_at_an_older_cost_still_verifies_with_its_own_cost()
    {
        var old = PasswordHashing.Hash("pw", 500);

        Assert.True(PasswordHashing.Verify("pw", old));
        // Claiming another cost for the same salt and hash gives another derived key.
        Assert.False(PasswordHashing.Verify("pw", old.Replace("$500$", "$501$")));
    }

    [Fact]
    public void A_changed_salt_or_hash_does_not_verify()
    {
        var parts = PasswordHashing.Hash("pw", Cheap).Split('$');
        var otherSalt = Convert.ToBase64String(new byte[16]);
        var otherHash = Convert.ToBase64String(new byte[32]);

        Assert.False(PasswordHashing.Verify("pw", string.Join('$', parts[0], parts[1], otherSalt, parts[3])));
        Assert.False(PasswordHashing.Verify("pw", string.Join('$', parts[0], parts[1], parts[2], otherHash)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain text password")]
    [InlineData("pbkdf2-sha512$1000$c2FsdA==")]
    [InlineData("pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaA==")]
    [InlineData("pbkdf2-sha512$many$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaA==")]
    [InlineData("pbkdf2-sha512$1000$not base64!$aGFzaA==")]
    [InlineData("pbkdf2-sha512$1000$c2FsdHNhbHRzYWx0c2FsdA==$not base64!")]
    [InlineData("pbkdf2-sha512$1000$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaA==$extra")]
    public void A_malformed_stored_hash_refuses_every_password(string stored) => Assert.False(PasswordHashing.Verify("pw", stored));

    [Theory]
    [InlineData("pbkdf2-sha512$0$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaA==")]
    [InlineData("pbkdf2-sha512$-1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaA==")]
    public void A_stored_hash_with_an_impossible_cost_refuses_every_password(string stored) =>
        Assert.False(PasswordHashing.Verify("pw", stored));

    [Fact]
    public void A_stored_hash_with_an_empty_hash_part_refuses_every_password()
    {
        Assert.False(PasswordHashing.Verify("pw", "pbkdf2-sha512$1000$c2FsdHNhbHRzYWx0c2FsdA==$"));
        Assert.False(PasswordHashing.Verify("anything at all", "pbkdf2-sha512$1000$c2FsdHNhbHRzYWx0c2FsdA==$"));
    }
}
