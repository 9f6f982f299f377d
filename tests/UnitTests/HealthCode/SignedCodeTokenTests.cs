using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Sanmenxia.Checkpoints;
using Sanmenxia.HealthCode;

namespace Sanmenxia.UnitTests.HealthCode;

// Issue 18: public-key signed codes (ECDSA P-256), verifiable offline with the published keys. The meanings of v1 stay:
// forged, altered, expired and replayed from another day are told apart; keys rotate with an overlap window.
public sealed class SignedCodeTokenTests : IDisposable
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private static readonly DateTimeOffset Now = new(2020, 2, 10, 9, 30, 0, TimeSpan.FromHours(8));
    private static readonly DateOnly Today = new(2020, 2, 10);
    private const string Resident = "rabcdefghijklmnopqrstuvwxyz";
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly CodeVerificationKey _published;

    public SignedCodeTokenTests() => _published = new CodeVerificationKey("k1", _key, Now + TimeSpan.FromDays(3));

    public void Dispose()
    {
        _key.Dispose();
        _other.Dispose();
    }

    private CodeVerificationKey? Keys(string kid) => kid == "k1" ? _published : null;

    private string Issue(CodeColour colour = CodeColour.Green, DateTimeOffset? at = null, ECDsa? key = null, string kid = "k1") =>
        SignedCodeToken.Issue(key ?? _key, kid, Resident, colour, "green.clocked-in", at ?? Now, Lifetime, DateOnly.FromDateTime((at ?? Now).Date));

    private CodeTokenCheck Verify(string token, DateTimeOffset? at = null) => SignedCodeToken.Verify(Keys, token, at ?? Now);

    private static string Tamper(string token, Func<string[], string[]> change)
    {
        var parts = token.Split('.');
        var fields = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[2])).Split('|');
        parts[2] = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join('|', change(fields))));
        return string.Join('.', parts);
    }

    [Fact]
    public void A_fresh_token_is_valid_and_carries_resident_colour_reason_times_day_and_key()
    {
        var token = Issue(CodeColour.Yellow);
        Assert.StartsWith("v2.k1.", token);
        var check = Verify(token);
        Assert.Equal(CodeTokenStatus.Valid, check.Status);
        var p = check.Payload!;
        Assert.Equal((Resident, CodeColour.Yellow, "green.clocked-in", Today, "k1"), (p.ResidentKey, p.Colour, p.ReasonCode, p.Day!.Value, p.KeyId));
        Assert.Equal((Now, Now + Lifetime), (p.IssuedAt, p.ExpiresAt));
        Assert.True(token.Length < 400, $"a QR should stay compact: {token.Length} characters");
    }

    [Fact]
    public void The_signature_is_the_IEEE_P1363_form_WebCrypto_verifies()
    {
        var parts = Issue().Split('.');
        var signature = Base64Url.DecodeFromChars(parts[4]);
        Assert.Equal(64, signature.Length);
        Assert.True(_key.VerifyData(Encoding.ASCII.GetBytes($"c.k1.{parts[2]}"), signature, HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void A_token_signed_with_another_key_or_naming_an_unknown_key_is_forged()
    {
        Assert.Equal(CodeTokenStatus.Forged, Verify(Issue(key: _other)).Status);
        Assert.Equal(CodeTokenStatus.Forged, Verify(Issue(kid: "k9")).Status);
        Assert.Equal(CodeTokenStatus.Forged, Verify(Issue(key: _other, kid: "k9")).Status);
    }

    [Fact]
    public void A_genuine_token_with_changed_colour_resident_or_expiry_is_altered()
    {
        var token = Issue(CodeColour.Red);
        Assert.Equal(CodeTokenStatus.Altered, Verify(Tamper(token, f => { f[1] = "1"; return f; })).Status);
        Assert.Equal(CodeTokenStatus.Altered, Verify(Tamper(token, f => { f[0] = "rsomeoneelse"; return f; })).Status);
        Assert.Equal(CodeTokenStatus.Altered, Verify(Tamper(token, f => { f[4] = "9999999999"; return f; })).Status);
        // The issue time and nonce are what the issuer signature covers: changing them makes it a token we never issued.
        Assert.Equal(CodeTokenStatus.Forged, Verify(Tamper(token, f => { f[3] = "1581300000"; return f; })).Status);
        Assert.Equal(CodeTokenStatus.Forged, Verify(Tamper(token, f => { f[6] = "AAAAAAAAAAAA"; return f; })).Status);
    }

    [Fact]
    public void A_swapped_content_signature_is_altered_and_garbage_is_malformed()
    {
        var a = Issue().Split('.');
        var b = Issue().Split('.');
        a[4] = b[4];
        Assert.Equal(CodeTokenStatus.Altered, Verify(string.Join('.', a)).Status);
        Assert.Equal(CodeTokenStatus.Malformed, Verify("v2.k1.@@@.x.y").Status);
        Assert.Equal(CodeTokenStatus.Malformed, Verify("hello").Status);
        Assert.False(SignedCodeToken.IsSigned("v1.abc.def.ghi"));
    }

    [Fact]
    public void Expired_and_replayed_from_another_day_stay_apart()
    {
        var token = Issue();
        Assert.Equal(CodeTokenStatus.Valid, Verify(token, Now + Lifetime - TimeSpan.FromSeconds(1)).Status);
        var expired = Verify(token, Now + Lifetime);
        Assert.Equal(CodeTokenStatus.Expired, expired.Status);
        Assert.Equal(AdmissionRefusal.Expired, PassAdmission.Admit(expired, Today, HealthCodePolicy.Default).Refusal);

        // Issued at 23:58, shown at 00:01: still within its lifetime, but from another day (the day in the token).
        var late = new DateTimeOffset(2020, 2, 10, 23, 58, 0, TimeSpan.FromHours(8));
        var check = Verify(Issue(at: late), late.AddMinutes(3));
        Assert.Equal(CodeTokenStatus.Valid, check.Status);
        Assert.Equal(AdmissionRefusal.Replayed, PassAdmission.Admit(check, Today.AddDays(1), HealthCodePolicy.Default).Refusal);
    }

    [Fact]
    public void Verification_at_the_time_of_an_offline_scan_accepts_what_was_valid_then()
    {
        var token = Issue();
        var scanned = Now + TimeSpan.FromMinutes(2);
        Assert.Equal(CodeTokenStatus.Valid, SignedCodeToken.Verify(Keys, token, scanned).Status);
        Assert.Equal(CodeTokenStatus.Expired, SignedCodeToken.Verify(Keys, token, scanned + TimeSpan.FromHours(1)).Status);
    }

    // ------------------------------------------------------------------ rotation

    private static readonly CodeKeySchedule Schedule = new(TimeSpan.FromDays(7), TimeSpan.FromDays(2));

    [Fact]
    public void Each_slot_has_one_key_published_an_overlap_early_and_verifying_an_overlap_late()
    {
        var slot = Schedule.SlotAt(Now);
        Assert.True(slot.NotBefore <= Now && Now < slot.SignUntil);
        Assert.Equal(TimeSpan.FromDays(7), slot.SignUntil - slot.NotBefore);
        Assert.Equal(slot.NotBefore - TimeSpan.FromDays(2), slot.PublishFrom);
        Assert.Equal(slot.SignUntil + TimeSpan.FromDays(2), slot.VerifyUntil);
        Assert.Equal(slot, Schedule.SlotAt(slot.SignUntil - TimeSpan.FromTicks(1)));
        Assert.Matches("^k[0-9]{8}T[0-9]{4}Z$", slot.KeyId);

        // The next key is needed (created and published) only within the overlap before it signs.
        Assert.Single(Schedule.Needed(slot.SignUntil - TimeSpan.FromDays(2) - TimeSpan.FromSeconds(1)));
        var both = Schedule.Needed(slot.SignUntil - TimeSpan.FromDays(2));
        Assert.Equal([slot.KeyId, Schedule.SlotAt(slot.SignUntil).KeyId], both.Select(w => w.KeyId));
    }

    [Fact]
    public void After_rotation_the_old_key_still_verifies_during_the_overlap_and_not_after()
    {
        var old = Schedule.SlotAt(Now);
        var next = Schedule.SlotAt(old.SignUntil);
        using var oldKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var newKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ring = new Dictionary<string, CodeVerificationKey>
        {
            [old.KeyId] = new(old.KeyId, oldKey, old.VerifyUntil),
            [next.KeyId] = new(next.KeyId, newKey, next.VerifyUntil),
        };
        CodeVerificationKey? Find(string kid) => ring.GetValueOrDefault(kid);
        var windows = new[] { old, next };

        // A token signed by the old key one minute before the switch, scanned (offline) then and verified later.
        var before = old.SignUntil - TimeSpan.FromMinutes(1);
        Assert.Equal(old.KeyId, CodeKeySchedule.Signer(windows, w => w, before)!.KeyId);
        Assert.Equal(next.KeyId, CodeKeySchedule.Signer(windows, w => w, old.SignUntil)!.KeyId);
        var token = SignedCodeToken.Issue(oldKey, old.KeyId, Resident, CodeColour.Green, "green.clocked-in", before, Lifetime,
            DateOnly.FromDateTime(before.UtcDateTime));
        Assert.Equal(CodeTokenStatus.Valid, SignedCodeToken.Verify(Find, token, before + TimeSpan.FromMinutes(2)).Status);

        // During the overlap the old key still verifies (the token's own lifetime is what ends it) and is still published…
        var inOverlap = old.VerifyUntil - TimeSpan.FromSeconds(1);
        Assert.True(CodeKeySchedule.Published(old, inOverlap));
        var during = SignedCodeToken.Verify(Find, token, inOverlap);
        Assert.Equal(CodeTokenStatus.Expired, during.Status);
        Assert.Contains("refresh", during.Message);
        // … after it the key is retired: not published, and nothing it signed verifies.
        Assert.False(CodeKeySchedule.Published(old, old.VerifyUntil));
        var after = SignedCodeToken.Verify(Find, token, old.VerifyUntil);
        Assert.Equal(CodeTokenStatus.Expired, after.Status);
        Assert.Contains("retired", after.Message);

        // A long-lived token (to see the key alone) is valid in the overlap and not after.
        var longLived = SignedCodeToken.Issue(oldKey, old.KeyId, Resident, CodeColour.Green, "green.clocked-in", before, TimeSpan.FromDays(30),
            DateOnly.FromDateTime(before.UtcDateTime));
        Assert.Equal(CodeTokenStatus.Valid, SignedCodeToken.Verify(Find, longLived, inOverlap).Status);
        Assert.NotEqual(CodeTokenStatus.Valid, SignedCodeToken.Verify(Find, longLived, old.VerifyUntil).Status);
        // Once the key is forgotten altogether, its tokens name an unknown key: forged.
        ring.Remove(old.KeyId);
        Assert.Equal(CodeTokenStatus.Forged, SignedCodeToken.Verify(Find, longLived, inOverlap).Status);
    }

    [Fact]
    public void An_overlap_longer_than_the_rotation_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CodeKeySchedule(TimeSpan.FromDays(1), TimeSpan.FromDays(2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CodeKeySchedule(TimeSpan.FromDays(1), TimeSpan.Zero));
    }
}
