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
    /// <summary>The session generation staff tokens carry; a password reset or a disabling starts the next one.</summary>
    [Id(3120)] public int TokenGeneration { get; set; }
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

    public Task<bool> IsSessionActiveAsync(string role, int tokenGeneration) =>
        Task.FromResult(state.State.Account is { Disabled: false } a && a.Role == role && state.State.TokenGeneration == tokenGeneration);

    public async Task<bool> ResetPasswordAsync(string passwordHash)
    {
        if (state.State.Account is null) return false;
        state.State.PasswordHash = passwordHash;
        state.State.TokenGeneration++;
        await state.WriteOrForgetAsync(this);
        // The holder of the new password may sign in at once, whatever guesses locked the old one.
        _failedLogins = 0;
        _loginLockedUntil = default;
        return true;
    }

    public async Task SetDisabledAsync(bool disabled)
    {
        if (state.State.Account is null) return;
        // A disabling ends every session for good: enabling the account again does not revive the old tokens.
        if (disabled && !state.State.Account.Disabled) state.State.TokenGeneration++;
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
        return Task.FromResult(new StaffLoginAttempt(TimeSpan.Zero, state.State.Account is { Disabled: false } ? state.State.PasswordHash : null,
            state.State.TokenGeneration));
    }

    public Task LoginSucceededAsync()
    {
        // A lockout stands its time even so: it may have been set by others' attempts in the same burst.
        _failedLogins = 0;
        return Task.CompletedTask;
    }
}
