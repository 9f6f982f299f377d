using Sanmenxia.Staff;

namespace Sanmenxia.Grains.Staff;

[GenerateSerializer, Alias("sanmenxia.StaffDirectoryState")]
public sealed class StaffDirectoryState
{
    /// <summary>Every account by username. A city has thousands of staff, not millions: one grain holds them.</summary>
    [Id(0)] public Dictionary<string, StaffAccount> Accounts { get; set; } = new(StringComparer.Ordinal);
}

public sealed class StaffDirectoryGrain(
    [PersistentState("staff-directory", StorageNames.Default)] IPersistentState<StaffDirectoryState> state) : Grain, IStaffDirectoryGrain
{
    public async Task AddAsync(StaffAccount account)
    {
        // Asked again for an account already listed (a repeated create): nothing to write.
        if (state.State.Accounts.TryGetValue(account.Username, out var listed) && listed == account) return;
        state.State.Accounts[account.Username] = account;
        await state.WriteOrForgetAsync(this);
    }

    public async Task<bool> ReserveDisableAsync(string username)
    {
        if (!state.State.Accounts.TryGetValue(username, out var listed) || listed.Disabled) return true;
        if (IsCityAdmin(listed) && !state.State.Accounts.Values.Any(a => a.Username != username && !a.Disabled && IsCityAdmin(a)))
            return false;
        state.State.Accounts[username] = listed with { Disabled = true };
        await state.WriteOrForgetAsync(this);
        return true;
    }

    private static bool IsCityAdmin(StaffAccount account) =>
        account.Role == Sanmenxia.Security.Roles.Admin && account.Jurisdiction == Sanmenxia.Regions.SanmenxiaRegions.CityCode.Value;

    public Task<IReadOnlyList<StaffAccount>> ListAsync(string? jurisdictionPrefix, int skip, int take)
    {
        IReadOnlyList<StaffAccount> page = state.State.Accounts.Values
            .Where(a => jurisdictionPrefix is null || a.Jurisdiction.StartsWith(TrimRegion(jurisdictionPrefix), StringComparison.Ordinal))
            .OrderBy(a => a.Username, StringComparer.Ordinal)
            .Skip(skip).Take(take).ToList();
        return Task.FromResult(page);
    }

    public Task<StaffPage> ListByRoleAsync(string? jurisdictionPrefix, string? role, int skip, int take)
    {
        var matching = state.State.Accounts.Values
            .Where(a => jurisdictionPrefix is null || a.Jurisdiction.StartsWith(TrimRegion(jurisdictionPrefix), StringComparison.Ordinal))
            .Where(a => role is null || a.Role == role)
            .OrderBy(a => a.Username, StringComparer.Ordinal)
            .ToList();
        return Task.FromResult(new StaffPage(matching.Skip(skip).Take(take).ToList(), matching.Count));
    }

    // A city code 411200 covers every code starting 4112; a county 411202 covers its own prefix.
    private static string TrimRegion(string code) => code.Length == 6 && code.EndsWith("00", StringComparison.Ordinal) ? code[..4] : code;
}
