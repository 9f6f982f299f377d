using System.Collections.Concurrent;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Residents;

namespace Sanmenxia.Api.Regions;

/// <summary>
/// The villages' public duty phones as code reads show them (<see cref="CodeView.VillageContact"/>). Cached in each API
/// process for <see cref="CacheFor"/>, so the QR refreshes of a village's thousand residents cost one read; a change made
/// through this process is seen at once, one made through another process within <see cref="CacheFor"/>.
/// </summary>
public sealed class VillageContacts(IVillageContactStore store, TimeProvider clock)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<string, (string? Phone, DateTimeOffset ReadAt)> _cache = new(StringComparer.Ordinal);

    public async Task<string?> DutyPhoneAsync(string? villageCode)
    {
        if (string.IsNullOrEmpty(villageCode)) return null;
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(villageCode, out var cached) && now - cached.ReadAt < CacheFor) return cached.Phone;
        var phone = (await store.FindAsync(villageCode))?.DutyPhone;
        _cache[villageCode] = (phone, now);
        return phone;
    }

    public Task<VillageContact?> FindAsync(string villageCode) => store.FindAsync(villageCode);

    public async Task SetAsync(VillageContact contact)
    {
        await store.SetAsync(contact);
        _cache[contact.VillageCode] = (string.IsNullOrEmpty(contact.DutyPhone) ? null : contact.DutyPhone, clock.GetUtcNow());
    }

    /// <summary>The view with its village's duty phone (a view naming no village, or one without a phone, is unchanged).</summary>
    public async Task<CodeView> AddToAsync(CodeView view) =>
        await DutyPhoneAsync(view.VillageCode) is { } phone ? view with { VillageContact = phone } : view;
}
