using System.Security.Claims;
using Mothership.Server.Identity;

namespace Mothership.Server.Tests.Identity;

public sealed class MothershipClaimsTests
{
    [Fact]
    public void Create_AdminWithGroups_ReadBackThroughTheContract()
    {
        var user = MothershipClaims.Create("alice", ["ops", "dev", "ops"], MothershipClaims.SourceOidc, admin: true, "test");

        Assert.Equal("alice", MothershipClaims.NameOf(user));
        Assert.Equal("alice", user.Identity!.Name);
        Assert.Equal(["ops", "dev"], MothershipClaims.GroupsOf(user));
        Assert.Equal("oidc", MothershipClaims.SourceOf(user));
        Assert.True(MothershipClaims.IsAdmin(user));
        Assert.True(user.IsInRole(MothershipClaims.AdminRole));
    }

    [Fact]
    public void NameOf_Unauthenticated_NullAndNoGroups()
    {
        var anonymous = new ClaimsPrincipal(new ClaimsIdentity([new Claim(MothershipClaims.Name, "mallory"), new Claim(MothershipClaims.Role, "admin")]));

        Assert.Null(MothershipClaims.NameOf(anonymous));
        Assert.Empty(MothershipClaims.GroupsOf(anonymous));
        Assert.Null(MothershipClaims.SourceOf(anonymous));
        Assert.False(MothershipClaims.IsAdmin(anonymous));
    }
}
