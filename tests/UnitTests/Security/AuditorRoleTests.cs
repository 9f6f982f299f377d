using Sanmenxia.Security;
using Xunit;

namespace Sanmenxia.UnitTests.Security;

/// <summary>The auditor holds a staff account but is no operational staff: the "any staff" policy is built from <see cref="Roles.Staff"/>.</summary>
public class AuditorRoleTests
{
    [Fact]
    public void An_auditor_is_an_account_role_but_not_a_staff_role()
    {
        Assert.True(Roles.IsAccount(Roles.Auditor));
        Assert.False(Roles.IsStaff(Roles.Auditor));
        Assert.DoesNotContain(Roles.Auditor, Roles.Staff);
        Assert.All(Roles.Staff, role => Assert.True(Roles.IsAccount(role)));
        Assert.False(Roles.IsAccount(Roles.Resident));
    }
}
