using System.Collections.Concurrent;

namespace Sanmenxia.Platform.Stores;

/// <summary>
/// One code-signing key as stored (the code_signing_keys table): its window, the public key (SubjectPublicKeyInfo) and
/// the private key as the API protected it (encrypted; the store never sees it in clear).
/// </summary>
public sealed record StoredCodeSigningKey(string KeyId, DateTimeOffset PublishFrom, DateTimeOffset NotBefore, DateTimeOffset SignUntil,
    DateTimeOffset VerifyUntil, byte[] PublicKey, byte[] ProtectedPrivateKey);

/// <summary>The code-signing keys in the store of record (PostgreSQL; in memory for tests).</summary>
public interface ICodeSigningKeyStore
{
    /// <summary>Every key whose verification window ends after <paramref name="since"/>.</summary>
    Task<IReadOnlyList<StoredCodeSigningKey>> ListAsync(DateTimeOffset since, CancellationToken ct = default);
    /// <summary>Adds the key unless one with its id exists (then the existing one stands); true when this one was added.</summary>
    Task<bool> TryAddAsync(StoredCodeSigningKey key, CancellationToken ct = default);
}

/// <summary>For tests and memory-provider runs only.</summary>
public sealed class InMemoryCodeSigningKeyStore : ICodeSigningKeyStore
{
    private readonly ConcurrentDictionary<string, StoredCodeSigningKey> _keys = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<StoredCodeSigningKey>> ListAsync(DateTimeOffset since, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<StoredCodeSigningKey>>(_keys.Values.Where(k => k.VerifyUntil > since).OrderBy(k => k.NotBefore).ToList());

    public Task<bool> TryAddAsync(StoredCodeSigningKey key, CancellationToken ct = default) => Task.FromResult(_keys.TryAdd(key.KeyId, key));

    /// <summary>Every key (tests).</summary>
    public IReadOnlyCollection<StoredCodeSigningKey> All => _keys.Values.ToList();
}
