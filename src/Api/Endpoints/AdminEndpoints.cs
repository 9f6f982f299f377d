using System.Security.Claims;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Security;
using Sanmenxia.Identity;
using Sanmenxia.Regions;
using Sanmenxia.Security;
using Sanmenxia.Staff;

namespace Sanmenxia.Api.Endpoints;

public sealed record CreateStaffRequest(string? Username, string? Password, string? DisplayName, string? Role, string? Jurisdiction, string? CheckpointId);
public sealed record OutboxRequest(string? Phone);
public sealed record ResetPasswordRequest(string? Password);

public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Administration").RequireAuthorization(Policies.Admin);
        // Re-run after the account was stored, it would answer 409 "taken" for the account this request created.
        admin.MapPost("/staff", CreateStaff).WithoutRejectionRetry();
        admin.MapGet("/staff", ListStaff);
        admin.MapPost("/staff/{username}/disable", (string username, IGrainFactory grains, AuditTrail audit, ClaimsPrincipal user) => SetDisabled(username, true, grains, audit, user));
        admin.MapPost("/staff/{username}/enable", (string username, IGrainFactory grains, AuditTrail audit, ClaimsPrincipal user) => SetDisabled(username, false, grains, audit, user));
        admin.MapPost("/staff/{username}/password", ResetPassword);
        admin.MapPost("/dev/outbox", ReadOutbox);
        // An administrator reads the entries of their own jurisdiction: a county's administrator sees no other county's
        // residents' keys, and no entry without a region (staff management, the outbox), which only the city's may read.
        admin.MapGet("/audit", async (Sanmenxia.Platform.Stores.IAuditLog log, ClaimsPrincipal user, string? subject, string? actor,
            DateTimeOffset? from, DateTimeOffset? to, int skip = 0, int take = 100) =>
            take is < 1 or > 1000 || skip < 0
                ? Refusals.Field("take", "take must be 1..1000 and skip ≥ 0")
                : Results.Ok(await log.QueryAsync(new Sanmenxia.Platform.Stores.AuditQuery(subject, actor, from, to, skip, take,
                    AuditPrefix(Caller.From(user))))));
        return app;
    }

    /// <summary>
    /// Staff are managed within the caller's jurisdiction: an administrator creates, lists, disables and enables only
    /// accounts whose jurisdiction lies within their own, grants no role above their own, and names only regions that
    /// exist in the region tree (the city itself always does).
    /// </summary>
    private static async Task<IResult> CreateStaff(CreateStaffRequest body, IGrainFactory grains, RegionCatalog regions, AuditTrail audit, ClaimsPrincipal user)
    {
        var caller = Caller.From(user);
        var errors = new FieldErrors();
        errors.Require("username", body.Username, 64);
        if (body.Username is { } u && !u.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            errors.Add("username", "may contain only letters, digits, '.', '-' and '_'");
        CheckPassword(body.Password, errors);
        errors.Require("displayName", body.DisplayName, 64);
        if (body.Role is null || !Roles.IsAccount(body.Role)) errors.Add("role", $"must be one of: {string.Join(", ", Roles.Accounts)}");
        if (!RegionCode.TryParse(body.Jurisdiction, out var jurisdiction, out var regionError))
            errors.Add("jurisdiction", regionError ?? "is not a region code");
        else if (!jurisdiction.IsWithin(SanmenxiaRegions.City.Code))
            errors.Add("jurisdiction", "must be Sanmenxia (411200) or a region within it");
        else if (jurisdiction != SanmenxiaRegions.CityCode && await regions.FindAsync(jurisdiction.Value) is null)
            errors.Add("jurisdiction", $"unknown region {jurisdiction.Value}: load the region tree first");
        if (body.Role == Roles.CheckpointStaff && string.IsNullOrWhiteSpace(body.CheckpointId))
            errors.Add("checkpointId", "is required for checkpoint staff");
        if (errors.Any) return Refusals.Fields(errors);
        if (!caller.Covers(jurisdiction))
            return Refusals.Forbidden($"You may create accounts within your jurisdiction ({caller.Jurisdiction?.Value}) only, not for {jurisdiction.Value}.");
        if (RoleRank(body.Role!) > RoleRank(caller.Role))
            return Refusals.Forbidden($"You may not grant the role {body.Role}, which is above your own.");
        if (body.Role == Roles.CheckpointStaff && await grains.GetGrain<Sanmenxia.Checkpoints.ICheckpointGrain>(body.CheckpointId!.Trim().ToLowerInvariant()).GetInfoAsync() is { } checkpoint
            && !checkpoint.RegionCode.IsWithin(jurisdiction))
            return Refusals.Field("checkpointId", $"checkpoint {checkpoint.Id} is in {checkpoint.RegionCode.Value}, outside the account's jurisdiction {jurisdiction.Value}");

        var username = body.Username!.Trim().ToLowerInvariant();
        // Audited before it is done: an audit that fails means no account was created.
        await audit.RecordAsync(user, "staff.create", null, jurisdiction.Value, $"{username} role={body.Role}");
        var created = await grains.GetGrain<IStaffAccountGrain>(username).CreateAsync(
            new NewStaffAccount(body.DisplayName!.Trim(), body.Role!, jurisdiction.Value, PasswordHashing.Hash(body.Password!), body.CheckpointId));
        return created
            ? Results.Created($"/api/admin/staff/{username}", await grains.GetGrain<IStaffAccountGrain>(username).GetAsync())
            : Refusals.Conflict($"The username '{username}' is taken.");
    }

    /// <summary>The region prefix of the audit entries a caller may read: none for the city, else their jurisdiction.</summary>
    internal static string? AuditPrefix(Caller caller) => caller.Jurisdiction switch
    {
        { Level: RegionLevel.City } => null,
        { } region => region.Value,
        null => "-", // no jurisdiction: no entries (every region code is digits)
    };

    /// <summary>Staff roles by what they may do; an account never grants a role above its own.</summary>
    private static int RoleRank(string role) => role switch
    {
        Roles.Admin => 3,
        Roles.Commander => 2,
        _ when Roles.IsAccount(role) => 1,
        _ => 0,
    };

    /// <summary>The password rule of every staff account: 10 to 256 characters (sign-in accepts at most 256).</summary>
    private static void CheckPassword(string? password, FieldErrors errors)
    {
        if (password is null || password.Length < 10) errors.Add("password", "must be at least 10 characters");
        else if (password.Length > 256) errors.Add("password", "must be at most 256 characters");
    }

    /// <summary>
    /// Lists accounts within the caller's jurisdiction (or the narrower <paramref name="jurisdiction"/>), optionally of one
    /// <paramref name="role"/>, in username order; the X-Total-Count header says how many match in all.
    /// </summary>
    private static async Task<IResult> ListStaff(IGrainFactory grains, ClaimsPrincipal user, HttpContext http, string? jurisdiction, string? role, int skip = 0, int take = 50)
    {
        if (skip < 0) return Refusals.Field("skip", "must not be negative");
        if (take is < 1 or > 500) return Refusals.Field("take", "must be between 1 and 500");
        if (role is not null && !Roles.IsAccount(role)) return Refusals.Field("role", $"must be one of: {string.Join(", ", Roles.Accounts)}");
        var caller = Caller.From(user);
        if (caller.Jurisdiction is not { } own) return Refusals.Forbidden("Your token names no jurisdiction.");
        RegionCode scope = own;
        if (jurisdiction is not null)
        {
            if (!RegionCode.TryParse(jurisdiction, out scope, out var error)) return Refusals.Field("jurisdiction", error ?? "is not a region code");
            if (!caller.Covers(scope)) return Refusals.Forbidden($"Region {scope.Value} is outside your jurisdiction.");
        }
        var page = await grains.GetGrain<IStaffDirectoryGrain>(0).ListByRoleAsync(scope.Value, role, skip, take);
        http.Response.Headers["X-Total-Count"] = page.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Ok(page.Items);
    }

    /// <summary>The account an administrator may manage (within their jurisdiction, no role above their own), or the refusal.</summary>
    private static async Task<(StaffAccount? Account, IResult? Refusal)> ManageableAsync(string username, IGrainFactory grains, Caller caller)
    {
        if (string.IsNullOrWhiteSpace(username) || await grains.GetGrain<IStaffAccountGrain>(username).GetAsync() is not { } existing)
            return (null, Refusals.NotFound($"No staff account '{username}'."));
        if (!RegionCode.TryParse(existing.Jurisdiction, out var theirs) || !caller.Covers(theirs) || RoleRank(existing.Role) > RoleRank(caller.Role))
            return (null, Refusals.Forbidden($"The account '{username}' is outside your jurisdiction."));
        return (existing, null);
    }

    /// <summary>
    /// An administrator sets a new initial password (the same rule as at creation) and passes it on; every session of the
    /// account ends at once (a new session generation), and its sign-in lockout is cleared.
    /// </summary>
    private static async Task<IResult> ResetPassword(string username, ResetPasswordRequest body, IGrainFactory grains, AuditTrail audit, ClaimsPrincipal user)
    {
        var errors = new FieldErrors();
        CheckPassword(body.Password, errors);
        if (errors.Any) return Refusals.Fields(errors);
        username = username.Trim().ToLowerInvariant();
        var (existing, refusal) = await ManageableAsync(username, grains, Caller.From(user));
        if (refusal is not null) return refusal;
        // Audited before it is done: an audit that fails means the password was not changed.
        await audit.RecordAsync(user, "staff.password.reset", null, existing!.Jurisdiction, username);
        return await grains.GetGrain<IStaffAccountGrain>(username).ResetPasswordAsync(PasswordHashing.Hash(body.Password!))
            ? Results.NoContent()
            : Refusals.NotFound($"No staff account '{username}'.");
    }

    private static async Task<IResult> SetDisabled(string username, bool disabled, IGrainFactory grains, AuditTrail audit, ClaimsPrincipal user)
    {
        var caller = Caller.From(user);
        username = username.Trim().ToLowerInvariant();
        var (existing, refusal) = await ManageableAsync(username, grains, caller);
        if (refusal is not null) return refusal;
        var account = grains.GetGrain<IStaffAccountGrain>(username);
        // Audited before it is done: an audit that fails means the account was not changed.
        await audit.RecordAsync(user, disabled ? "staff.disable" : "staff.enable", null, existing!.Jurisdiction, username);
        if (disabled && !await grains.GetGrain<IStaffDirectoryGrain>(0).ReserveDisableAsync(username))
            return Refusals.Conflict($"'{username}' is the last enabled city administrator: enable or create another first.");
        await account.SetDisabledAsync(disabled);
        return Results.NoContent();
    }

    /// <summary>DEVELOPMENT ONLY: the latest one-time code sent to a phone (phone in the body, never the URL).</summary>
    /// <remarks>
    /// Bounded by the caller's jurisdiction like staff management: the code of a phone whose residents all live within
    /// it; a phone no resident has registered with belongs to no region, so only a city administrator reads its code.
    /// </remarks>
    private static async Task<IResult> ReadOutbox(OutboxRequest body, IMessageSender sender, PseudonymousKeys keys, AuditTrail audit,
        ClaimsPrincipal user, IGrainFactory grains)
    {
        if (sender is not DevelopmentMessageSender dev)
            return Refusals.NotFound("The development outbox is off: a real message sender is configured.");
        if (!PhoneNumber.TryParse(body.Phone, out var phone, out var error)) return Refusals.Field("phone", error!);
        var phoneKey = keys.ForPhone(phone.Value);
        var caller = Caller.From(user);
        var residents = await grains.GetGrain<Sanmenxia.Residents.IPhoneDirectoryGrain>(phoneKey).GetResidentsAsync();
        var covered = residents.Count == 0 ? caller.Covers(SanmenxiaRegions.CityCode) : true;
        foreach (var residentKey in residents)
        {
            var profile = await grains.GetGrain<Sanmenxia.Residents.IResidentGrain>(residentKey).GetProfileAsync();
            if (profile is null ? !caller.Covers(SanmenxiaRegions.CityCode)
                : !RegionCode.TryParse(profile.VillageCode, out var village) || !caller.Covers(village)) covered = false;
        }
        if (!covered) return Refusals.Forbidden("This phone's residents are outside your jurisdiction.");
        var code = dev.Latest(phoneKey);
        if (code is null) return Refusals.NotFound("No code was sent to this phone.");
        // The code signs in as the phone's resident: its reader could act as them.
        await audit.RecordAsync(user, "dev.outbox.read", phoneKey, null, phone.Masked);
        return Results.Ok(new { phone = phone.Masked, code });
    }
}
