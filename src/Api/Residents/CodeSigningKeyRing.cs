using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Sanmenxia.HealthCode;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.Api.Residents;

/// <summary>
/// The ECDSA P-256 keys that sign health-code tokens, kept in the store of record (<see cref="ICodeSigningKeyStore"/>) and
/// rotated by <see cref="CodeKeySchedule"/>: whichever API process first needs a slot's key creates it (the store keeps the
/// first), the others read it. The private key is stored encrypted (AES-256-GCM, key derived from Auth:SigningKey with
/// HKDF, the key id as associated data). Reads are cached for a minute; a needed key that is missing triggers a reload.
/// </summary>
public sealed class CodeSigningKeyRing
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    /// <summary>Retired keys stay known this long, so an old genuine token reads as expired rather than forged.</summary>
    private static readonly TimeSpan KeepRetired = TimeSpan.FromDays(35);
    private readonly ICodeSigningKeyStore _store;
    private readonly TimeProvider _clock;
    private readonly ILogger<CodeSigningKeyRing> _logger;
    private readonly byte[] _encryptionKey;
    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile Snapshot? _snapshot;

    public CodeSigningKeyRing(ICodeSigningKeyStore store, IConfiguration configuration, IOptions<QrOptions> options,
        [FromKeyedServices(Sanmenxia.Platform.Time.DomainClock.Key)] TimeProvider clock, ILogger<CodeSigningKeyRing> logger)
    {
        var secret = configuration["Auth:SigningKey"] ?? throw new InvalidOperationException("Auth:SigningKey is not set.");
        _encryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32,
            info: Encoding.UTF8.GetBytes("sanmenxia code-signing keys v1"));
        _store = store;
        _clock = clock;
        _logger = logger;
        Schedule = new CodeKeySchedule(options.Value.KeyRotateEvery, options.Value.KeyOverlap);
    }

    public CodeKeySchedule Schedule { get; }

    /// <summary>One consistent view of the keys: the signer now, every known key (retired ones too) for verification.</summary>
    public sealed class Snapshot
    {
        internal Snapshot(IReadOnlyList<RingKey> keys, long loadedAt)
        {
            Keys = keys;
            ById = keys.ToDictionary(k => k.Window.KeyId, StringComparer.Ordinal);
            LoadedAt = loadedAt;
        }

        public IReadOnlyList<RingKey> Keys { get; }
        internal IReadOnlyDictionary<string, RingKey> ById { get; }
        internal long LoadedAt { get; }

        public CodeVerificationKey? Find(string keyId) =>
            ById.TryGetValue(keyId, out var k) ? new CodeVerificationKey(k.Window.KeyId, k.PublicKey, k.Window.VerifyUntil) : null;

        public RingKey? Signer(DateTimeOffset now) => CodeKeySchedule.Signer(Keys.Where(k => k.PrivateKey is not null), k => k.Window, now);
    }

    public sealed record RingKey(CodeKeyWindow Window, ECDsa PublicKey, ECDsa? PrivateKey, byte[] SubjectPublicKeyInfo);

    /// <summary>The keys, created for the current (and, once due, the next) slot if missing.</summary>
    public async Task<Snapshot> GetAsync(CancellationToken ct = default)
    {
        var now = _clock.GetUtcNow();
        var snapshot = _snapshot;
        if (snapshot is not null && Stopwatch.GetElapsedTime(snapshot.LoadedAt) < CacheFor && Complete(snapshot, now)) return snapshot;
        await _reload.WaitAsync(ct);
        try
        {
            snapshot = _snapshot;
            if (snapshot is not null && Stopwatch.GetElapsedTime(snapshot.LoadedAt) < CacheFor && Complete(snapshot, now)) return snapshot;
            snapshot = await LoadAsync(now, ct);
            if (!Complete(snapshot, now))
            {
                foreach (var window in Schedule.Needed(now).Where(w => !HasSigner(snapshot, w)))
                    await CreateAsync(window, snapshot.ById.ContainsKey(window.KeyId), ct);
                snapshot = await LoadAsync(now, ct);
            }
            _snapshot = snapshot;
            return snapshot;
        }
        finally
        {
            _reload.Release();
        }
    }

    private bool Complete(Snapshot snapshot, DateTimeOffset now) => Schedule.Needed(now).All(w => HasSigner(snapshot, w));

    /// <summary>A usable key for the slot: its own, or a replacement made when its private key could not be decrypted.</summary>
    private static bool HasSigner(Snapshot snapshot, CodeKeyWindow window) =>
        snapshot.Keys.Any(k => k.PrivateKey is not null && k.Window.NotBefore == window.NotBefore && k.Window.KeyId.StartsWith(window.KeyId, StringComparison.Ordinal));

    private async Task CreateAsync(CodeKeyWindow window, bool slotTaken, CancellationToken ct)
    {
        // A slot whose key cannot be decrypted (Auth:SigningKey changed) gets a replacement under a suffixed id.
        var keyId = slotTaken ? $"{window.KeyId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}" : window.KeyId;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var stored = new StoredCodeSigningKey(keyId, window.PublishFrom, window.NotBefore, window.SignUntil, window.VerifyUntil,
            key.ExportSubjectPublicKeyInfo(), Protect(keyId, key.ExportPkcs8PrivateKey()));
        if (await _store.TryAddAsync(stored, ct))
            _logger.LogInformation("Created code-signing key {KeyId} (signs {From:u} to {Until:u}, verifies until {VerifyUntil:u})",
                keyId, window.NotBefore, window.SignUntil, window.VerifyUntil);
    }

    private async Task<Snapshot> LoadAsync(DateTimeOffset now, CancellationToken ct)
    {
        var rows = await _store.ListAsync(now - KeepRetired, ct);
        var keys = new List<RingKey>(rows.Count);
        foreach (var row in rows)
        {
            var publicKey = ECDsa.Create();
            publicKey.ImportSubjectPublicKeyInfo(row.PublicKey, out _);
            keys.Add(new RingKey(new CodeKeyWindow(row.KeyId, row.PublishFrom, row.NotBefore, row.SignUntil, row.VerifyUntil), publicKey,
                Unprotect(row), row.PublicKey));
        }
        return new Snapshot(keys, Stopwatch.GetTimestamp());
    }

    private byte[] Protect(string keyId, byte[] pkcs8)
    {
        var result = new byte[12 + 16 + pkcs8.Length];
        var nonce = result.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_encryptionKey, 16);
        aes.Encrypt(nonce, pkcs8, result.AsSpan(28), result.AsSpan(12, 16), Encoding.UTF8.GetBytes(keyId));
        CryptographicOperations.ZeroMemory(pkcs8);
        return result;
    }

    private ECDsa? Unprotect(StoredCodeSigningKey row)
    {
        if (row.ProtectedPrivateKey.Length < 29) return null;
        var pkcs8 = new byte[row.ProtectedPrivateKey.Length - 28];
        try
        {
            using var aes = new AesGcm(_encryptionKey, 16);
            aes.Decrypt(row.ProtectedPrivateKey.AsSpan(0, 12), row.ProtectedPrivateKey.AsSpan(28), row.ProtectedPrivateKey.AsSpan(12, 16), pkcs8,
                Encoding.UTF8.GetBytes(row.KeyId));
            var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(pkcs8, out _);
            return key;
        }
        catch (CryptographicException)
        {
            _logger.LogWarning("Code-signing key {KeyId} cannot be decrypted (was Auth:SigningKey changed?): it verifies but does not sign", row.KeyId);
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }
}
