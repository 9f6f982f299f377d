using System.Buffers.Text;
using System.Text;
using Sanmenxia.Checkpoints;
using Sanmenxia.HealthCode;
using Xunit;

namespace Sanmenxia.UnitTests.Checkpoints;

/// <summary>The one admission rule of a scanned QR (checkpoint passes and staff's code checks), in Asia/Shanghai.</summary>
public class PassAdmissionTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("unit-test-qr-key-unit-test-qr-key");
    private static readonly HealthCodePolicy Policy = HealthCodePolicy.Default;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    private static DateTimeOffset At(int day, int hour, int minute) => new(2020, 2, day, hour, minute, 0, Shanghai);

    /// <summary>A token issued at <paramref name="issued"/>, checked and admitted at <paramref name="now"/>.</summary>
    private static Admission Admit(string token, DateTimeOffset now) =>
        PassAdmission.Admit(CodeToken.Verify(Key, token, now), HealthCodeRules.Today(Policy, now), Policy);

    private static string Issue(DateTimeOffset issued, string residentKey = "rabc") =>
        CodeToken.Issue(Key, residentKey, CodeColour.Green, issued, Lifetime);

    [Fact]
    public void A_genuine_token_issued_today_admits_its_resident()
    {
        var admission = Admit(Issue(At(3, 10, 0), "rperson"), At(3, 10, 2));
        Assert.True(admission.Accepted);
        Assert.Equal("rperson", admission.ResidentKey);
        Assert.Null(admission.Refusal);
        Assert.Null(admission.Code);
    }

    [Fact]
    public void Just_after_midnight_in_Shanghai_a_token_from_the_evening_before_is_replayed_though_still_within_its_lifetime()
    {
        var token = Issue(At(3, 23, 58));
        Assert.True(Admit(token, At(3, 23, 59)).Accepted);

        var admission = Admit(token, At(4, 0, 1));
        Assert.Equal(CodeTokenStatus.Valid, CodeToken.Verify(Key, token, At(4, 0, 1)).Status); // the signatures and lifetime alone would pass it
        Assert.False(admission.Accepted);
        Assert.Equal(AdmissionRefusal.Replayed, admission.Refusal);
        Assert.Equal("token.replayed", admission.Code);
        Assert.Contains("2020-02-03", admission.Message);
        Assert.Contains("not today", admission.Message);
    }

    [Fact]
    public void Midnight_is_Shanghai_midnight_not_UTC_midnight()
    {
        // 23:58 UTC is 07:58 the next morning in Shanghai: the same Shanghai day as 08:01 there (00:01 UTC).
        var token = Issue(new DateTimeOffset(2020, 2, 3, 23, 58, 0, TimeSpan.Zero));
        Assert.True(Admit(token, new DateTimeOffset(2020, 2, 4, 0, 1, 0, TimeSpan.Zero)).Accepted);
        // 15:59 UTC is 23:59 in Shanghai; 16:01 UTC is 00:01 the next day there.
        var evening = Issue(new DateTimeOffset(2020, 2, 3, 15, 59, 0, TimeSpan.Zero));
        Assert.Equal(AdmissionRefusal.Replayed, Admit(evening, new DateTimeOffset(2020, 2, 3, 16, 1, 0, TimeSpan.Zero)).Refusal);
    }

    [Fact]
    public void A_token_issued_just_after_midnight_is_todays()
    {
        Assert.True(Admit(Issue(At(4, 0, 0)), At(4, 0, 3)).Accepted);
    }

    [Fact]
    public void An_expired_token_from_today_is_expired_and_one_from_an_earlier_day_is_replayed()
    {
        var token = Issue(At(3, 10, 0));
        Assert.Equal(AdmissionRefusal.Expired, Admit(token, At(3, 10, 6)).Refusal);
        Assert.Equal("token.expired", Admit(token, At(3, 10, 6)).Code);
        Assert.Equal(AdmissionRefusal.Replayed, Admit(token, At(5, 9, 0)).Refusal);
    }

    [Fact]
    public void Forged_altered_malformed_and_future_tokens_are_refused_as_such()
    {
        var now = At(3, 10, 0);
        var forged = CodeToken.Issue(Encoding.UTF8.GetBytes("someone-elses-key-someone-elses-key"), "rabc", CodeColour.Green, now, Lifetime);
        Assert.Equal((AdmissionRefusal.Forged, "token.forged"), Refusal(Admit(forged, now)));

        var parts = Issue(now).Split('.');
        var fields = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Split('|');
        fields[0] = "rsomebodyelse";
        parts[1] = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join('|', fields)));
        Assert.Equal((AdmissionRefusal.Altered, "token.altered"), Refusal(Admit(string.Join('.', parts), now)));

        Assert.Equal((AdmissionRefusal.Malformed, "token.malformed"), Refusal(Admit("hello, I am not a QR", now)));
        Assert.Equal((AdmissionRefusal.Malformed, "token.malformed"), Refusal(Admit("v1.@@@.x.y", now)));

        var future = Issue(now.AddMinutes(10));
        Assert.Equal((AdmissionRefusal.NotYetValid, "token.notyetvalid"), Refusal(Admit(future, now)));
    }

    [Fact]
    public void A_refusal_names_no_resident_and_keeps_the_checks_message()
    {
        var check = CodeToken.Verify(Key, "nonsense", At(3, 10, 0));
        var admission = PassAdmission.Admit(check, new DateOnly(2020, 2, 3), Policy);
        Assert.Null(admission.ResidentKey);
        Assert.Equal(check.Message, admission.Message);
    }

    private static (AdmissionRefusal?, string?) Refusal(Admission a) => (a.Refusal, a.Code);
}
