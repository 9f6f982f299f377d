using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Security;
using Sanmenxia.Identity;
using Sanmenxia.Regions;
using Sanmenxia.Security;
using Sanmenxia.Staff;

namespace Sanmenxia.Api.Endpoints;

public sealed record CreateStaffRequest(string? Username, string? Password, string? DisplayName, string? Role, string? Jurisdiction, string? CheckpointId);
public sealed record OutboxRequest(string? Phone);

public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Administration").RequireAuthorization(Policies.Admin);
        // Re-run after the account was stored, it would answer 409 "taken" for the account this request created.
        admin.MapPost("/staff", CreateStaff).WithoutRejectionRetry();
        admin.MapGet("/staff", ListStaff);
        admin.MapPost("/staff/{username}/disable", (string username, IGrainFactory grains) => SetDisabled(username, true, grains));
        admin.MapPost("/staff/{username}/enable", (string username, IGrainFactory grains) => SetDisabled(username, false, grains));
        admin.MapPost("/dev/outbox", ReadOutbox);
        admin.MapGet("/audit", async (Sanmenxia.Platform.Stores.IAuditLog log, string? subject, string? actor, DateTimeOffset? from, DateTimeOffset? to, int skip = 0, int take = 100) =>
            take is < 1 or > 1000 || skip < 0
                ? Refusals.Field("take", "take must be 1..1000 and skip ≥ 0")
                : Results.Ok(await log.QueryAsync(new Sanmenxia.Platform.Stores.AuditQuery(subject, actor, from, to, skip, take))));
        return app;
    }

    private static async Task<IResult> CreateStaff(CreateStaffRequest body, IGrainFactory grains)
    {
        var errors = new FieldErrors();
        errors.Require("username", body.Username, 64);
        if (body.Username is { } u && !u.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            errors.Add("username", "may contain only letters, digits, '.', '-' and '_'");
        if (body.Password is null || body.Password.Length < 10) errors.Add("password", "must be at least 10 characters");
        errors.Require("displayName", body.DisplayName, 64);
        if (body.Role is null || !Roles.IsStaff(body.Role)) errors.Add("role", $"must be one of: {string.Join(", ", Roles.Staff)}");
        if (!RegionCode.TryParse(body.Jurisdiction, out var jurisdiction, out var regionError))
            errors.Add("jurisdiction", regionError ?? "is not a region code");
        else if (!jurisdiction.IsWithin(SanmenxiaRegions.City.Code))
            errors.Add("jurisdiction", "must be Sanmenxia (411200) or a region within it");
        if (body.Role == Roles.CheckpointStaff && string.IsNullOrWhiteSpace(body.CheckpointId))
            errors.Add("checkpointId", "is required for checkpoint staff");
        if (errors.Any) return Refusals.Fields(errors);

        var username = body.Username!.Trim().ToLowerInvariant();
        var created = await grains.GetGrain<IStaffAccountGrain>(username).CreateAsync(
            new NewStaffAccount(body.DisplayName!.Trim(), body.Role!, jurisdiction.Value, PasswordHashing.Hash(body.Password!), body.CheckpointId));
        return created
            ? Results.Created($"/api/admin/staff/{username}", await grains.GetGrain<IStaffAccountGrain>(username).GetAsync())
            : Refusals.Conflict($"The username '{username}' is taken.");
    }

    private static async Task<IResult> ListStaff(IGrainFactory grains, string? jurisdiction, int skip = 0, int take = 50)
    {
        if (skip < 0) return Refusals.Field("skip", "must not be negative");
        if (take is < 1 or > 500) return Refusals.Field("take", "must be between 1 and 500");
        return Results.Ok(await grains.GetGrain<IStaffDirectoryGrain>(0).ListAsync(jurisdiction, skip, take));
    }

    private static async Task<IResult> SetDisabled(string username, bool disabled, IGrainFactory grains)
    {
        var account = grains.GetGrain<IStaffAccountGrain>(username.ToLowerInvariant());
        if (await account.GetAsync() is null) return Refusals.NotFound($"No staff account '{username}'.");
        await account.SetDisabledAsync(disabled);
        return Results.NoContent();
    }

    /// <summary>DEVELOPMENT ONLY: the latest one-time code sent to a phone (phone in the body, never the URL).</summary>
    private static async Task<IResult> ReadOutbox(OutboxRequest body, IMessageSender sender, PseudonymousKeys keys, AuditTrail audit,
        System.Security.Claims.ClaimsPrincipal user)
    {
        if (sender is not DevelopmentMessageSender dev)
            return Refusals.NotFound("The development outbox is off: a real message sender is configured.");
        if (!PhoneNumber.TryParse(body.Phone, out var phone, out var error)) return Refusals.Field("phone", error!);
        var phoneKey = keys.ForPhone(phone.Value);
        var code = dev.Latest(phoneKey);
        if (code is null) return Refusals.NotFound("No code was sent to this phone.");
        // The code signs in as the phone's resident: its reader could act as them.
        await audit.RecordAsync(user, "dev.outbox.read", phoneKey, null, phone.Masked);
        return Results.Ok(new { phone = phone.Masked, code });
    }
}
