using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Sanmenxia.Security;
using Sanmenxia.Tooling;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// The load tester and the chaos drill act as residents with tokens they mint themselves (ResidentTokenMinter):
/// the API must take such a token exactly as the one it issued at sign-in, and refuse it when signed with another
/// key or expired, or the tools would measure a system that refuses them.
/// </summary>
[Collection("api")]
public sealed class ToolTokenTests(ApiFactory factory)
{
    private static readonly PseudonymousKeys Keys = new(ApiFactory.KeySecret);

    [Fact]
    public async Task A_minted_resident_token_is_accepted_like_the_issued_one_and_refused_when_forged_or_expired()
    {
        var resident = await new ResidentFlow(factory).SignInAsync();
        await resident.RegisterAsync();
        var issued = await resident.CodeAsync();

        // The tools compute the keys from the ID and phone numbers as the system does.
        var residentKey = Keys.ForIdNumber(resident.IdNumber);
        Assert.Equal(resident.ResidentKey, residentKey);
        var now = DateTimeOffset.UtcNow.AddMinutes(-1);

        var minted = new ResidentTokenMinter(ApiFactory.SigningKey).Mint(residentKey, Keys.ForPhone(resident.Phone), now, TimeSpan.FromHours(1));
        var (status, body) = await CodeAsync(minted);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(issued.GetProperty("explanation").GetProperty("colour").GetString(), body.GetProperty("explanation").GetProperty("colour").GetString());

        var forged = new ResidentTokenMinter(ApiFactory.SigningKey + "-other").Mint(residentKey, Keys.ForPhone(resident.Phone), now, TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await CodeAsync(forged)).Status);

        var expired = new ResidentTokenMinter(ApiFactory.SigningKey).Mint(residentKey, Keys.ForPhone(resident.Phone), now.AddDays(-2), TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await CodeAsync(expired)).Status);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> CodeAsync(string token)
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync("/api/residents/me/code");
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }
}
