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
    /// <summary>
    /// Reads the audit trail of their jurisdiction and nothing else (docs/security.md, "The audit reader"). Not in
    /// <see cref="Staff"/>: every endpoint that admits "any staff" refuses an auditor.
    /// </summary>
    public const string Auditor = "auditor";

    /// <summary>The operational staff roles (the "any staff" policy).</summary>
    public static readonly IReadOnlyList<string> Staff = [CheckpointStaff, VillageStaff, Hotline, Commander, Admin];

    /// <summary>Every role a staff account (username + password) may hold: the operational roles and the auditor.</summary>
    public static readonly IReadOnlyList<string> Accounts = [.. Staff, Auditor];

    public static bool IsStaff(string role) => Staff.Contains(role);

    /// <summary>Whether a role is held by a staff account (signs in with a password, is checked against its account).</summary>
    public static bool IsAccount(string role) => Accounts.Contains(role);
}
