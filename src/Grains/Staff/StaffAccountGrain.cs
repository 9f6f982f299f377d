using Microsoft.Extensions.DependencyInjection;
using Sanmenxia.Staff;

namespace Sanmenxia.Grains.Staff;

[GenerateSerializer, Alias("sanmenxia.StaffAccountState")]
public sealed class StaffAccountState
{
    /// <summary>Null until the account is created.</summary>
    [Id(0)] public StaffAccount? Account { get; set; }
    /// <summary>PBKDF2 hash (see PasswordHashing); never leaves the grain except for verification.</summary>
    [Id(1)] public string? PasswordHash { get; set; }
}

public sealed class StaffAccountGrain(
    [PersistentState("staff", StorageNames.Default)] IPersistentState<StaffAccountState> state,
    [FromKeyedServices(Sanmenxia.Platform.Time.SignInClock.Key)] TimeProvider clock) : Grain, IStaffAccountGrain
{
    private const int MaxFailedLogins = 10;
    private static readonly TimeSpan LoginLockout = TimeSpan.FromMinutes(15);
    // In memory: a restart forgets them, which an online guesser cannot cause.
    private int _failedLogins;
    private DateTimeOffset _loginLockedUntil;

    public async Task<bool> CreateAsync(NewStaffAccount account)
    {
        if (state.State.Account is { } existing)
        {
            // Taken. The directory entry is written after the account: list it now (idempotent) in case the create
            // that stored it failed before that.
            await GrainFactory.GetGrain<IStaffDirectoryGrain>(0).AddAsync(existing);
            return false;
        }
        var created = new StaffAccount(this.GetPrimaryKeyString(), account.DisplayName, account.Role, account.Jurisdiction,
            Disabled: false, clock.GetUtcNow(), account.CheckpointId);
        state.State.Account = created;
        state.State.PasswordHash = account.PasswordHash;
        await state.WriteOrForgetAsync(this);
        await GrainFactory.GetGrain<IStaffDirectoryGrain>(0).AddAsync(created);
        return true;
    }

    public Task<StaffAccount?> GetAsync() => Task.FromResult(state.State.Account);

    public Task<bool> IsActiveAsync(string role) => Task.FromResult(state.State.Account is { Disabled: false } a && a.Role == role);

    public async Task SetDisabledAsync(bool disabled)
    {
        if (state.State.Account is null) return;
        state.State.Account = state.State.Account with { Disabled = disabled };
        await state.WriteOrForgetAsync(this);
        await GrainFactory.GetGrain<IStaffDirectoryGrain>(0).AddAsync(state.State.Account);
    }

    public Task<StaffLoginAttempt> BeginLoginAsync()
    {
        var now = clock.GetUtcNow();
        if (_loginLockedUntil > now) return Task.FromResult(new StaffLoginAttempt(_loginLockedUntil - now, null));
        // Counted as wrong before it is verified (one grain turn: no two attempts pass the check uncounted).
        if (++_failedLogins >= MaxFailedLogins)
        {
            _failedLogins = 0;
            _loginLockedUntil = now + LoginLockout;
            DelayDeactivation(LoginLockout);
        }
        return Task.FromResult(new StaffLoginAttempt(TimeSpan.Zero, state.State.Account is { Disabled: false } ? state.State.PasswordHash : null));
    }

    public Task LoginSucceededAsync()
    {
        // A lockout stands its time even so: it may have been set by others' attempts in the same burst.
        _failedLogins = 0;
        return Task.CompletedTask;
    }
}
