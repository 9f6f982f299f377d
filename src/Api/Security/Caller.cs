using System.Security.Claims;
using Sanmenxia.Regions;
using Sanmenxia.Security;

namespace Sanmenxia.Api.Security;

/// <summary>Who is calling, read from the token's claims.</summary>
public sealed record Caller(string Subject, string Role, RegionCode? Jurisdiction, string? ResidentKey, string? PhoneKey, string? CheckpointId)
{
    public bool IsStaff => Roles.IsStaff(Role);

    /// <summary>Staff see their jurisdiction and everything below it.</summary>
    public bool Covers(RegionCode region) => Jurisdiction is { } j && region.IsWithin(j);

    public static Caller From(ClaimsPrincipal user)
    {
        var jurisdiction = user.FindFirstValue(SanmenxiaClaims.Jurisdiction);
        return new Caller(
            user.FindFirstValue(SanmenxiaClaims.Subject) ?? "",
            user.FindFirstValue(SanmenxiaClaims.Role) ?? "",
            jurisdiction is not null && RegionCode.TryParse(jurisdiction, out var code, out _) ? code : null,
            user.FindFirstValue(SanmenxiaClaims.ResidentKey),
            user.FindFirstValue(SanmenxiaClaims.PhoneKey),
            user.FindFirstValue(SanmenxiaClaims.CheckpointId));
    }
}
