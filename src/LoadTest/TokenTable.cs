using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Sanmenxia.Security;
using Sanmenxia.Tooling;

namespace Sanmenxia.LoadTest;

/// <summary>
/// Resident tokens minted before a phase's clock starts, kept compact: per resident the two pseudonymous keys (27
/// ASCII characters each) and the HS256 signature (32 bytes), 87 bytes, so 2.63M residents take 229 MB instead of
/// ~1.7 GB of token strings. All the cryptography (two HMAC keys and the JWT signature) happens in
/// <see cref="Mint"/>; <see cref="Token"/> only writes the payload and base64url-encodes it, so the measured loop
/// does no crypto. The tokens are byte-for-byte those <see cref="ResidentTokenMinter"/> issues (a unit test and the
/// run's start check it).
/// </summary>
public sealed class TokenTable
{
    public const int KeyLength = 27;
    private const int SignatureLength = 32;
    private const int RecordLength = 1 + 2 * KeyLength + SignatureLength;
    private const byte Minted = 1, HasPhoneKey = 2;

    private readonly byte[] _records;
    private readonly byte[] _signingKey;
    private readonly PseudonymousKeys _keys;
    private readonly Func<int, string> _idNumber;
    private readonly Func<int, string?> _signInPhone;
    private readonly string _header;
    private readonly long _iat, _exp;
    private long _mintedOutsidePhases;

    public TokenTable(string signingKey, string keySecret, int residents, Func<int, string> idNumber, Func<int, string?> signInPhone,
        DateTimeOffset issuedAt, TimeSpan lifetime)
    {
        _records = new byte[(long)residents * RecordLength];
        _signingKey = Encoding.UTF8.GetBytes(signingKey);
        _keys = new PseudonymousKeys(keySecret);
        _idNumber = idNumber;
        _signInPhone = signInPhone;
        _iat = issuedAt.ToUnixTimeSeconds();
        _exp = _iat + (long)lifetime.TotalSeconds;
        // The header segment as the JWT library writes it (alg, typ): taken from one token it mints, not written by hand.
        var sample = new ResidentTokenMinter(signingKey).Mint(new string('a', KeyLength), null, issuedAt, lifetime);
        _header = sample[..sample.IndexOf('.')];
    }

    public int Count => _records.Length / RecordLength;

    /// <summary>Tokens minted by <see cref="Token"/> itself because <see cref="Mint"/> had not covered them (should stay 0 in measured loops).</summary>
    public long MintedInLoop => Interlocked.Read(ref _mintedOutsidePhases);

    public bool IsMinted(int resident) => (_records[(long)resident * RecordLength] & Minted) != 0;

    /// <summary>Mints every listed resident not minted yet, on all cores; returns how many were minted.</summary>
    public int Mint(IReadOnlyList<int> residents)
    {
        var todo = residents.Where(r => !IsMinted(r)).Distinct().ToArray();
        Parallel.For(0, todo.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, k => MintOne(todo[k]));
        return todo.Length;
    }

    private void MintOne(int resident)
    {
        var rk = _keys.ForIdNumber(_idNumber(resident));
        var pk = _signInPhone(resident) is { } phone ? _keys.ForPhone(phone) : null;
        if (rk.Length != KeyLength || pk is { Length: not KeyLength }) throw new InvalidOperationException("unexpected pseudonymous key length");
        var record = _records.AsSpan((int)((long)resident * RecordLength), RecordLength);
        Encoding.ASCII.GetBytes(rk, record.Slice(1, KeyLength));
        if (pk is not null) Encoding.ASCII.GetBytes(pk, record.Slice(1 + KeyLength, KeyLength));
        var signingInput = Encoding.ASCII.GetBytes(_header + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Payload(rk, pk))));
        HMACSHA256.HashData(_signingKey, signingInput, record.Slice(1 + 2 * KeyLength, SignatureLength));
        record[0] = (byte)(Minted | (pk is null ? 0 : HasPhoneKey)); // last: a reader never sees a half-written record as minted
    }

    private string Payload(string rk, string? pk) => ResidentTokenMinter.Payload(rk, pk, _iat, _exp);

    public string ResidentKey(int resident)
    {
        EnsureMinted(resident);
        return Encoding.ASCII.GetString(_records, (int)((long)resident * RecordLength) + 1, KeyLength);
    }

    /// <summary>The resident's token, assembled from the table: no cryptography unless the resident was never minted.</summary>
    public string Token(int resident)
    {
        EnsureMinted(resident);
        var record = _records.AsSpan((int)((long)resident * RecordLength), RecordLength);
        var rk = Encoding.ASCII.GetString(record.Slice(1, KeyLength));
        var pk = (record[0] & HasPhoneKey) != 0 ? Encoding.ASCII.GetString(record.Slice(1 + KeyLength, KeyLength)) : null;
        return string.Concat(_header, ".", Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Payload(rk, pk))), ".",
            Base64Url.EncodeToString(record.Slice(1 + 2 * KeyLength, SignatureLength)));
    }

    /// <summary>True when the assembled token is exactly the one <see cref="ResidentTokenMinter"/> mints for the same resident.</summary>
    public bool MatchesMinter(int resident, string signingKey)
    {
        var rk = ResidentKey(resident);
        var pk = _signInPhone(resident) is { } phone ? _keys.ForPhone(phone) : null;
        var expected = new ResidentTokenMinter(signingKey).Mint(rk, pk, DateTimeOffset.FromUnixTimeSeconds(_iat), TimeSpan.FromSeconds(_exp - _iat));
        return Token(resident) == expected;
    }

    private void EnsureMinted(int resident)
    {
        if (IsMinted(resident)) return;
        MintOne(resident);
        Interlocked.Increment(ref _mintedOutsidePhases);
    }
}
