namespace Sanmenxia.Security;

/// <summary>The roles of docs/domain.md "Who sees what". Role names are stable strings: they travel in tokens.</summary>
public static class Roles
{
    public const string Resident = "resident";
    public const string CheckpointStaff = "checkpoint";
    public const string VillageStaff = "village";
    public const string Hotline = "hotline";
    public const string Commander = "commander";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> Staff = [CheckpointStaff, VillageStaff, Hotline, Commander, Admin];

    public static bool IsStaff(string role) => Staff.Contains(role);
}
