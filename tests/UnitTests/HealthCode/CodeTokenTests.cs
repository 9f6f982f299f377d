using System.Buffers.Text;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Sanmenxia.HealthCode;

namespace Sanmenxia.UnitTests.HealthCode;

// docs/domain.md: a code shown at a checkpoint must not be forgeable or replayable; it carries a signed, short-lived
// token. A checkpoint tells a forgery from an altered genuine token, an expired one, and one replayed from another day.
public sealed class CodeTokenTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("unit-test key of the health-code QR tokens");
    private static readonly byte[] OtherKey = Encoding.UTF8.GetBytes("another city's key, or an attacker's guess");
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private static readonly HealthCodePolicy Policy = HealthCodePolicy.Default;
    private static readonly DateTimeOffset Now = new(2020, 2, 10, 9, 30, 0, TimeSpan.FromHours(8));
    private const string Resident = "rabcdefghijklmnopqrstuvwxyz";

    private static string Issue(CodeColour colour = CodeColour.Green, DateTimeOffset? at = null) =>
        CodeToken.Issue(Key, Resident, colour, at ?? Now, Lifetime);

    // Decodes a token's payload fields, lets a test change them, and re-encodes the token keeping both MACs.
    private static string Tamper(string token, Func<string[], string[]> change)
    {
        var parts = token.Split('.');
        var fields = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Split('|');
        parts[1] = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join('|', change(fields))));
        return string.Join('.', parts);
    }

    [Fact]
    public void A_fresh_token_is_valid_and_carries_who_and_which_colour()
    {
        var check = CodeToken.Verify(Key, Issue(CodeColour.Yellow), Now);

        Assert.Equal(CodeTokenStatus.Valid, check.Status);
        var payload = Assert.IsType<CodeTokenPayload>(check.Payload);
        Assert.Equal(Resident, payload.ResidentKey);
        Assert.Equal(CodeColour.Yellow, payload.Colour);
        Assert.Equal(Now, payload.IssuedAt);
        Assert.Equal(Now + Lifetime, payload.ExpiresAt);
    }

    [Fact]
    public void Two_tokens_issued_at_the_same_moment_differ()
    {
        var a = Issue();
        var b = Issue();

        Assert.NotEqual(a, b);
        Assert.NotEqual(CodeToken.Verify(Key, a, Now).Payload!.Nonce, CodeToken.Verify(Key, b, Now).Payload!.Nonce);
    }

    [Fact]
    public void Surrounding_whitespace_from_a_scanner_is_ignored() =>
        Assert.Equal(CodeTokenStatus.Valid, CodeToken.Verify(Key, " " + Issue() + "\n", Now).Status);

    [Fact]
    public void A_token_signed_with_another_key_is_a_forgery()
    {
        var forged = CodeToken.Issue(OtherKey, Resident, CodeColour.Green, Now, Lifetime);

        var check = CodeToken.Verify(Key, forged, Now);

        Assert.Equal(CodeTokenStatus.Forged, check.Status);
        Assert.Null(check.Payload);
        Assert.Contains("forged", check.Message);
    }

    [Theory]
    [InlineData(1, "1")]                          // the colour: red made green
    [InlineData(0, "rsomebodyelseentirelyxxxxxx")] // another resident
    [InlineData(3, "4102444800")]                 // the expiry pushed to 2100
    public void A_genuine_token_with_changed_content_is_altered_not_forged(int field, string value)
    {
        var altered = Tamper(Issue(CodeColour.Red), f => { f[field] = value; return f; });

        var check = CodeToken.Verify(Key, altered, Now);

        Assert.Equal(CodeTokenStatus.Altered, check.Status);
        Assert.Null(check.Payload);
        Assert.Contains("changed", check.Message);
    }

    [Fact]
    public void A_genuine_token_given_an_impossible_colour_is_altered()
    {
        var altered = Tamper(Issue(), f => { f[1] = "9"; return f; });

        Assert.Equal(CodeTokenStatus.Altered, CodeToken.Verify(Key, altered, Now).Status);
    }

    [Fact]
    public void Moving_the_issue_time_breaks_the_issuer_signature()
    {
        // The issuer MAC covers the issue time and nonce: a token claiming another issue time was never issued by us.
        var moved = Tamper(Issue(), f => { f[2] = (long.Parse(f[2]) + 86_400).ToString(); return f; });

        Assert.Equal(CodeTokenStatus.Forged, CodeToken.Verify(Key, moved, Now).Status);
    }

    [Fact]
    public void A_token_with_a_changed_signature_is_a_forgery()
    {
        var parts = Issue().Split('.');
        parts[2] = new string('A', parts[2].Length);

        Assert.Equal(CodeTokenStatus.Forged, CodeToken.Verify(Key, string.Join('.', parts), Now).Status);
    }

    [Fact]
    public void A_token_with_a_changed_content_signature_is_altered()
    {
        var parts = Issue().Split('.');
        parts[3] = new string('A', parts[3].Length);

        Assert.Equal(CodeTokenStatus.Altered, CodeToken.Verify(Key, string.Join('.', parts), Now).Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("https://example.com/not-a-code")]
    [InlineData("v1.a.b")]
    [InlineData("v2.a.b.c")]
    [InlineData("v1.a.b.c.d")]
    [InlineData("v1.!!!.b.c")]
    public void Anything_else_is_malformed(string? token)
    {
        var check = CodeToken.Verify(Key, token, Now);

        Assert.Equal(CodeTokenStatus.Malformed, check.Status);
        Assert.Null(check.Payload);
    }

    [Fact]
    public void A_token_is_valid_until_the_last_second_of_its_lifetime_and_expired_from_then_on()
    {
        var token = Issue();

        Assert.Equal(CodeTokenStatus.Valid, CodeToken.Verify(Key, token, Now + Lifetime - TimeSpan.FromSeconds(1)).Status);
        var expired = CodeToken.Verify(Key, token, Now + Lifetime);
        Assert.Equal(CodeTokenStatus.Expired, expired.Status);
        Assert.Contains("expired", expired.Message);
    }

    [Fact]
    public void A_token_issued_far_in_the_future_is_not_yet_valid_but_small_clock_skew_is_tolerated()
    {
        Assert.Equal(CodeTokenStatus.Valid, CodeToken.Verify(Key, Issue(at: Now + TimeSpan.FromMinutes(2)), Now).Status);
        Assert.Equal(CodeTokenStatus.NotYetValid, CodeToken.Verify(Key, Issue(at: Now + TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1)), Now).Status);
    }

    [Fact]
    public void A_screenshot_from_yesterday_is_expired_and_still_shows_the_day_it_was_issued()
    {
        var yesterday = Issue(at: Now.AddDays(-1));

        var check = CodeToken.Verify(Key, yesterday, Now);

        // The checkpoint refuses it as replayed: genuine (a payload is returned) but issued on an earlier day.
        Assert.Equal(CodeTokenStatus.Expired, check.Status);
        Assert.Equal(new DateOnly(2020, 2, 9), HealthCodeRules.Today(Policy, check.Payload!.IssuedAt));
        Assert.True(HealthCodeRules.Today(Policy, check.Payload.IssuedAt) < HealthCodeRules.Today(Policy, Now));
    }

    [Fact]
    public void A_token_shown_just_before_midnight_in_Sanmenxia_is_still_valid_after_it_but_from_another_day()
    {
        // 23:58 on 9 February in Asia/Shanghai is 15:58 UTC: the day is the local one, not the UTC one.
        var beforeMidnight = new DateTimeOffset(2020, 2, 9, 23, 58, 0, TimeSpan.FromHours(8));
        var afterMidnight = new DateTimeOffset(2020, 2, 10, 0, 1, 0, TimeSpan.FromHours(8));

        var check = CodeToken.Verify(Key, Issue(at: beforeMidnight), afterMidnight);

        Assert.Equal(CodeTokenStatus.Valid, check.Status);
        Assert.Equal(new DateOnly(2020, 2, 9), HealthCodeRules.Today(Policy, check.Payload!.IssuedAt));
        Assert.Equal(new DateOnly(2020, 2, 10), HealthCodeRules.Today(Policy, afterMidnight));
    }

    [Fact]
    public void A_token_shown_in_the_same_Sanmenxia_day_is_not_from_another_day_even_across_the_UTC_midnight()
    {
        // 07:58 and 08:01 in Sanmenxia straddle midnight UTC but are the same local day.
        var issued = new DateTimeOffset(2020, 2, 10, 7, 58, 0, TimeSpan.FromHours(8));
        var shown = new DateTimeOffset(2020, 2, 10, 8, 1, 0, TimeSpan.FromHours(8));

        var check = CodeToken.Verify(Key, Issue(at: issued), shown);

        Assert.Equal(CodeTokenStatus.Valid, check.Status);
        Assert.Equal(HealthCodeRules.Today(Policy, shown), HealthCodeRules.Today(Policy, check.Payload!.IssuedAt));
    }

    private static readonly Arbitrary<(int Position, char Replacement)> OneCharacterChanges =
        (from position in Gen.Choose(0, 200)
         from replacement in Gen.Elements("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.|".ToCharArray())
         select (position, replacement)).ToArbitrary();

    [Property]
    public Property No_one_character_change_gives_a_valid_token_with_other_content() =>
        Prop.ForAll(OneCharacterChanges, change =>
        {
            var token = Issue(CodeColour.Red);
            var original = CodeToken.Verify(Key, token, Now).Payload!;
            var position = change.Position % token.Length;
            var changed = token[..position] + change.Replacement + token[(position + 1)..];
            var check = CodeToken.Verify(Key, changed, Now);
            // A base64 character whose unused bits changed may decode to the same payload: harmless, same content.
            return check.Status != CodeTokenStatus.Valid || check.Payload == original;
        });

    [Property]
    public Property Any_genuine_token_is_valid_within_its_lifetime_for_any_colour_and_time() =>
        Prop.ForAll(Gen.Elements(Enum.GetValues<CodeColour>()).ToArbitrary(), Gen.Choose(0, 299).ToArbitrary(), Gen.Choose(0, 1_000_000).ToArbitrary(),
            (colour, secondsLater, minutesFromNow) =>
            {
                var issued = Now.AddMinutes(minutesFromNow);
                var check = CodeToken.Verify(Key, Issue(colour, issued), issued.AddSeconds(secondsLater));
                return check.Status == CodeTokenStatus.Valid && check.Payload!.Colour == colour;
            });
}
