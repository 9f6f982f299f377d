using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Security;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>The audit reader's API on a factory of its own (its trail holds only what these tests did).</summary>
public sealed class AuditApiFactory : ApiFactory;

[CollectionDefinition("audit")]
public sealed class AuditCollection : ICollectionFixture<AuditApiFactory>;

/// <summary>
/// Issue 19: the auditor reads the trail and nothing else; the reader's filters, keyset cursor, "who looked at this
/// resident" and the audited CSV export.
/// </summary>
[Collection("audit")]
public sealed class AuditReaderApiTests(AuditApiFactory factory)
{
    [Fact]
    public async Task An_auditor_reads_the_trail_and_every_other_staff_route_refuses_them()
    {
        var auditor = await factory.NewStaffAsync(Roles.Auditor, "411200");
        Assert.Equal(HttpStatusCode.OK, (await auditor.PostAsJsonAsync("/api/audit/search", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await auditor.PostAsJsonAsync("/api/audit/export", new { })).StatusCode);

        // Every endpoint in the route table that is neither anonymous nor the reader's own (nor "who am I") refuses an auditor.
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var walked = 0;
        var failures = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null) continue;
            if (pattern.StartsWith("/api/audit/", StringComparison.Ordinal) || pattern == "/api/auth/me") continue;
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var path = string.Join('/', pattern.Split('/').Select(segment => segment.StartsWith('{') ? Dummy(segment) : segment));
            foreach (var method in methods.Where(m => m is not ("HEAD" or "OPTIONS")))
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                // A body of the type the endpoint accepts (a CSV import's type is matched before authorization).
                var contentType = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.ContentTypes.FirstOrDefault() ?? "application/json";
                if (method is not "GET") request.Content = new StringContent("{}", Encoding.UTF8, contentType);
                var response = await auditor.SendAsync(request);
                walked++;
                if (response.StatusCode != HttpStatusCode.Forbidden) failures.Add($"{method} {pattern} → {(int)response.StatusCode}");
            }
        }
        Assert.True(walked > 60, $"only {walked} routes walked");
        Assert.True(failures.Count == 0, "An auditor was not refused: " + string.Join("; ", failures));

        // The trail is still readable after the walk, which it did not change.
        Assert.Equal(HttpStatusCode.OK, (await auditor.PostAsJsonAsync("/api/audit/search", new { actor = "nobody" })).StatusCode);
    }

    private static string Dummy(string segment) => segment.Trim('{', '}').Split(':')[0] switch
    {
        "code" => "411202001001",
        "residentKey" => "rk-test",
        "username" => "someone",
        _ => "x1",
    };

    [Fact]
    public async Task The_reader_filters_by_resident_actor_action_region_and_time_and_pages_by_cursor()
    {
        var villages = await factory.VillagesAsync();
        var resident = await new ResidentFlow(factory).SignInAsync();
        await resident.RegisterAsync(villages[0].Code);
        var staff = await factory.NewStaffAsync(Roles.VillageStaff, villages[0].Code);
        var actor = await UsernameAsync(staff);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        for (var i = 0; i < 5; i++)
            (await staff.GetAsync($"/api/villages/{resident.VillageCode}/residents/{resident.ResidentKey}")).EnsureSuccessStatusCode();
        var auditor = await factory.NewStaffAsync(Roles.Auditor, "411200");

        // By the ID number typed in (matched through the pseudonymous key): who looked, in one answer.
        var byResident = await SearchAsync(auditor, new { idNumber = resident.IdNumber });
        Assert.Equal(resident.ResidentKey, byResident.GetProperty("subjectKey").GetString());
        Assert.All(byResident.GetProperty("items").EnumerateArray(), r => Assert.Equal(resident.ResidentKey, r.GetProperty("subjectKey").GetString()));
        var looked = byResident.GetProperty("actors").EnumerateArray().Single(a => a.GetProperty("actorId").GetString() == actor);
        Assert.Equal(5, looked.GetProperty("entries").GetInt64());
        Assert.DoesNotContain(resident.IdNumber, byResident.ToString());

        // Actor + action + region + time; then paged two at a time by the opaque cursor: no gaps, no repeats.
        var filter = new { actor, action = "resident.read", region = villages[0].Code, from = before, to = DateTimeOffset.UtcNow.AddMinutes(1) };
        var all = await SearchAsync(auditor, filter);
        Assert.Equal(5, all.GetProperty("items").GetArrayLength());
        var ids = new List<long>();
        string? cursor = null;
        do
        {
            var page = await SearchAsync(auditor, new { filter.actor, filter.action, filter.region, filter.from, filter.to, cursor, take = 2 });
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("next").GetString();
        } while (cursor is not null);
        Assert.Equal(all.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()), ids);
        Assert.Empty((await SearchAsync(auditor, new { actor, from = DateTimeOffset.UtcNow.AddHours(1) })).GetProperty("items").EnumerateArray());
        Assert.Empty((await SearchAsync(auditor, new { actor, action = "staff.create" })).GetProperty("items").EnumerateArray());

        // The auditor's own search by resident is on the trail (the subject key, never the ID number).
        var own = await SearchAsync(auditor, new { actor = await UsernameAsync(auditor), action = "audit.search" });
        Assert.Contains(own.GetProperty("items").EnumerateArray(), r => r.GetProperty("subjectKey").GetString() == resident.ResidentKey);
        Assert.DoesNotContain(resident.IdNumber, own.ToString());

        // Bad filters: 400 naming the field; a region outside a county auditor's jurisdiction: 403.
        await AssertFieldAsync(auditor, new { cursor = "not-a-cursor" }, "cursor");
        await AssertFieldAsync(auditor, new { idNumber = "123" }, "idNumber");
        await AssertFieldAsync(auditor, new { take = 0 }, "take");
        await AssertFieldAsync(auditor, new { from = DateTimeOffset.UtcNow, to = DateTimeOffset.UtcNow.AddHours(-1) }, "to");
        var countyAuditor = await factory.NewStaffAsync(Roles.Auditor, "411203");
        Assert.Equal(HttpStatusCode.Forbidden, (await countyAuditor.PostAsJsonAsync("/api/audit/search", new { region = "411202" })).StatusCode);
        Assert.All((await SearchAsync(countyAuditor, new { })).GetProperty("items").EnumerateArray(),
            r => Assert.StartsWith("411203", r.GetProperty("regionCode").GetString()));
    }

    [Fact]
    public async Task The_filtered_trail_exports_as_csv_and_the_export_is_itself_audited()
    {
        var villages = await factory.VillagesAsync();
        var resident = await new ResidentFlow(factory).SignInAsync();
        await resident.RegisterAsync(villages[1].Code);
        var staff = await factory.NewStaffAsync(Roles.VillageStaff, villages[1].Code);
        var actor = await UsernameAsync(staff);
        for (var i = 0; i < 3; i++)
            (await staff.GetAsync($"/api/villages/{resident.VillageCode}/residents/{resident.ResidentKey}")).EnsureSuccessStatusCode();
        var admin = await factory.AdminClientAsync();

        var response = await admin.PostAsJsonAsync("/api/audit/export", new { idNumber = resident.IdNumber, actor });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,at,actor_id,actor_role,action,subject_key,region_code,detail", lines[0]);
        Assert.Equal(3, lines.Length - 1);
        Assert.All(lines[1..], l => Assert.Contains($",{actor},village,resident.read,{resident.ResidentKey},", l));

        var exports = await SearchAsync(admin, new { actor = "admin", action = "audit.export", residentKey = resident.ResidentKey });
        var entry = Assert.Single(exports.GetProperty("items").EnumerateArray());
        Assert.Contains($"actor={actor}", entry.GetProperty("detail").GetString());
        Assert.DoesNotContain(resident.IdNumber, entry.ToString());
    }

    internal static async Task<JsonElement> SearchAsync(HttpClient client, object filter)
    {
        var response = await client.PostAsJsonAsync("/api/audit/search", filter);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    internal static async Task<string> UsernameAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/auth/me")).GetProperty("subject").GetString()!;

    private static async Task AssertFieldAsync(HttpClient client, object filter, string field)
    {
        var response = await client.PostAsJsonAsync("/api/audit/search", filter);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }
}
