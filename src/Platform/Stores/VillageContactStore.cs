using System.Collections.Concurrent;

namespace Sanmenxia.Platform.Stores;

/// <summary>A village's public duty phone (an office number, not personal data) and who set it when.</summary>
public sealed record VillageContact(string VillageCode, string DutyPhone, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>The villages' duty phones in the store of record (PostgreSQL's village_contacts, migration 0017; in memory for tests).</summary>
public interface IVillageContactStore
{
    Task<VillageContact?> FindAsync(string villageCode, CancellationToken ct = default);
    /// <summary>Sets the village's duty phone, or removes it when <see cref="VillageContact.DutyPhone"/> is empty.</summary>
    Task SetAsync(VillageContact contact, CancellationToken ct = default);
}

/// <summary>For tests and memory-provider runs only.</summary>
public sealed class InMemoryVillageContactStore : IVillageContactStore
{
    private readonly ConcurrentDictionary<string, VillageContact> _contacts = new(StringComparer.Ordinal);

    public Task<VillageContact?> FindAsync(string villageCode, CancellationToken ct = default) =>
        Task.FromResult(_contacts.GetValueOrDefault(villageCode));

    public Task SetAsync(VillageContact contact, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(contact.DutyPhone)) _contacts.TryRemove(contact.VillageCode, out _);
        else _contacts[contact.VillageCode] = contact;
        return Task.CompletedTask;
    }
}
