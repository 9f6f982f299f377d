namespace Sanmenxia.Staff;

/// <summary>A staff account as others may see it (never the password hash).</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.StaffAccount")]
public sealed record StaffAccount(
    [property: Id(0)] string Username,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string Role,
    [property: Id(3)] string Jurisdiction,
    [property: Id(4)] bool Disabled,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] string? CheckpointId = null);

[GenerateSerializer, Immutable, Alias("sanmenxia.NewStaffAccount")]
public sealed record NewStaffAccount(
    [property: Id(0)] string DisplayName,
    [property: Id(1)] string Role,
    [property: Id(2)] string Jurisdiction,
    [property: Id(3)] string PasswordHash,
    [property: Id(4)] string? CheckpointId = null);

/// <summary>A page of staff accounts and how many match in all.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.StaffPage")]
public sealed record StaffPage(
    [property: Id(0)] IReadOnlyList<StaffAccount> Items,
    [property: Id(1)] int Total);

/// <summary>A sign-in attempt as the account grain allows it: the hash to verify against, or how long sign-in stays locked.</summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.StaffLoginAttempt")]
/// <remarks><see cref="TokenGeneration"/>: the account's session generation in the same turn as the hash (tokens carry it).</remarks>
public sealed record StaffLoginAttempt(
    [property: Id(0)] TimeSpan LockedFor,
    [property: Id(1)] string? PasswordHash,
    [property: Id(3120)] int TokenGeneration = 0);

/// <summary>One staff account; key = lower-case username.</summary>
[Alias("sanmenxia.IStaffAccountGrain")]
public interface IStaffAccountGrain : IGrainWithStringKey
{
    /// <summary>Creates the account; false if the username is taken (nothing is changed then).</summary>
    [Alias("Create")] Task<bool> CreateAsync(NewStaffAccount account);
    [Alias("Get")] Task<StaffAccount?> GetAsync();
    [Alias("SetDisabled")] Task SetDisabledAsync(bool disabled);
    /// <summary>Whether a token naming this account and role may still act: the account exists, is enabled and has that role.</summary>
    [Orleans.Concurrency.ReadOnly, Alias("IsActive")] Task<bool> IsActiveAsync(string role); // asked on every staff request: reads interleave
    /// <summary>
    /// Whether a token naming this account, role and session generation may still act: as <see cref="IsActiveAsync"/>,
    /// and the token was issued in the account's current generation (a password reset or a disabling starts a new one,
    /// ending every session signed in before it).
    /// </summary>
    [Orleans.Concurrency.ReadOnly, Alias("IsSessionActive")] Task<bool> IsSessionActiveAsync(string role, int tokenGeneration);
    /// <summary>
    /// Sets a new password hash (an administrator's reset): starts a new session generation, so every token signed in
    /// with the old password stops working, and clears the sign-in lockout. False for an unknown account.
    /// </summary>
    [Alias("ResetPassword")] Task<bool> ResetPasswordAsync(string passwordHash);
    /// <summary>
    /// Starts one sign-in attempt: refused while sign-in is locked (<see cref="StaffLoginAttempt.LockedFor"/>), else
    /// counted as a wrong password at once, before the password is verified, so concurrent attempts cannot all pass
    /// the check before any is counted; the attempt that reaches the limit locks sign-in for the ones after it. Counted
    /// for an unknown or disabled username as well (whose <see cref="StaffLoginAttempt.PasswordHash"/> is null), so
    /// the lockout does not tell which usernames exist.
    /// </summary>
    [Alias("BeginLogin")] Task<StaffLoginAttempt> BeginLoginAsync();
    /// <summary>A right password clears the count of wrong ones (a lockout already set stands its time).</summary>
    [Alias("LoginSucceeded")] Task LoginSucceededAsync();
}

/// <summary>The list of staff usernames, so administrators can page through accounts. Single instance, key 0.</summary>
[Alias("sanmenxia.IStaffDirectoryGrain")]
public interface IStaffDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Add")] Task AddAsync(StaffAccount account);
    /// <summary>
    /// Lists the account as disabled, unless it is the last enabled city administrator (false then, nothing changed).
    /// Asked before the account itself is disabled: one grain decides, so two administrators disabling each other at
    /// once cannot both succeed and leave the city without one.
    /// </summary>
    [Alias("ReserveDisable")] Task<bool> ReserveDisableAsync(string username);
    [Alias("List")] Task<IReadOnlyList<StaffAccount>> ListAsync(string? jurisdictionPrefix, int skip, int take);
    /// <summary>As <see cref="ListAsync"/>, narrowed to one role (null: every role), with the number of matching accounts.</summary>
    [Alias("ListByRole")] Task<StaffPage> ListByRoleAsync(string? jurisdictionPrefix, string? role, int skip, int take);
}
