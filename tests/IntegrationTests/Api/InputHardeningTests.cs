using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.Security;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// Input the API refuses at the edge with a 400 problem naming the field, rather than passing on to grains and
/// PostgreSQL (which refuses a zero byte, and then failed other callers' batches) or failing with a 500.
/// </summary>
[Collection("api")]
public sealed class InputHardeningTests(ApiFactory factory)
{
    [Theory]
    [InlineData("\u0000")]
    [InlineData("admin\u0000")]
    [InlineData("adm\u202Ein")]
    [InlineData("admin\n")]
    [InlineData("\u0085admin")]
    public async Task A_control_character_in_a_json_field_is_a_400_naming_the_field(string username)
    {
        var response = await factory.CreateClient().PostAsJsonAsync("/api/auth/staff/login", new StaffLoginRequest(username, "whatever-password"));
        await AssertRefusedAsync(response, "username");
    }

    [Fact]
    public async Task A_zero_byte_in_a_free_text_field_is_refused_but_a_line_break_is_not()
    {
        var commander = await factory.NewStaffAsync(Roles.Commander, "411200");
        var refused = await commander.PostAsJsonAsync("/api/trips/train:G7001:20200130/cases/c0123456789a/withdraw", new ReasonRequest("wrong\u0000seat"));
        await AssertRefusedAsync(refused, "reason");

        // Free text may span lines: the request passes the rule and is answered for what it asks (no such case).
        var multiLine = await commander.PostAsJsonAsync("/api/trips/train:G7001:20200130/cases/c0123456789a/withdraw", new ReasonRequest("wrong seat\nreported twice"));
        Assert.Equal(HttpStatusCode.NotFound, multiLine.StatusCode);
    }

    [Fact]
    public async Task A_control_character_in_a_list_element_names_its_index()
    {
        var admin = await factory.AdminClientAsync();
        var response = await admin.PostAsJsonAsync("/api/admin/checkpoints",
            new CreateCheckpointRequest("cp-411202001-0001", "Gate", "411202", null, ["ok-name", "bad\u0000name"]));
        await AssertRefusedAsync(response, "staff[1]");
    }

    [Theory]
    [InlineData("/api/regions/%E2%80%AE411200", "code")]
    [InlineData("/api/regions/4112%0100", "code")]
    [InlineData("/api/regions?parent=4112%0000", "parent")]
    [InlineData("/api/regions?parent=%C2%85", "parent")]
    public async Task A_control_character_in_a_route_or_query_value_is_a_400_naming_it(string url, string field)
    {
        var response = await factory.CreateClient().GetAsync(url);
        await AssertRefusedAsync(response, field);
    }

    [Fact]
    public async Task A_control_character_in_a_csv_cell_refuses_the_file_naming_the_line_and_nothing_is_imported()
    {
        var villages = await factory.VillagesAsync();
        var admin = await factory.AdminClientAsync();
        var good = ResidentFlow.NewIdNumber();
        var csv = $"household,name,id_number,phone,village_code,head\nh1,王小明,{good},,{villages[0].Code},true\nh2,张\u0000三,{ResidentFlow.NewIdNumber()},,{villages[0].Code},true\n";
        var response = await admin.PostAsync("/api/admin/residents/import", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var problem = await AssertRefusedAsync(response, "file");
        Assert.Equal(3, problem.GetProperty("line").GetInt32());

        // The rows before the bad one were not registered either: the file is refused as a whole.
        var key = new PseudonymousKeys(ApiFactory.KeySecret).ForIdNumber(good);
        var read = await admin.GetAsync($"/api/villages/{villages[0].Code}/residents/{key}");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Fact]
    public async Task Plain_bad_input_is_a_4xx_problem_not_a_500()
    {
        await factory.SeedRegionsAsync();
        var admin = await factory.AdminClientAsync();
        static HttpContent Csv(byte[] bytes)
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new("text/csv");
            return content;
        }
        var responses = new Dictionary<string, HttpResponseMessage>
        {
            ["staff [null]"] = await admin.PostAsync("/api/admin/checkpoints", new StringContent("{\"staff\":[null]}", Encoding.UTF8, "application/json")),
            ["day 0001-01-01"] = await admin.GetAsync("/api/checkpoints/cp-411202001-0001/passes?day=0001-01-01"),
            ["day 9999-12-31"] = await admin.GetAsync("/api/checkpoints/cp-411202001-0001/passes?day=9999-12-31"),
            ["blank resident"] = await admin.GetAsync("/api/residents/%20/passes"),
            ["blank username"] = await admin.PostAsync("/api/admin/staff/%20/disable", null),
            ["empty region file"] = await admin.PostAsync("/api/admin/regions/import", Csv([])),
            ["BOM-only region file"] = await admin.PostAsync("/api/admin/regions/import", Csv([0xEF, 0xBB, 0xBF])),
        };
        foreach (var (what, response) in responses)
        {
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.ToString());
        }
    }

    private static async Task<JsonElement> AssertRefusedAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.ToString());
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var reasons), $"no error for {field}: {text}");
        Assert.Contains("U+", reasons[0].GetString());
        Assert.Equal("unsafe-text", problem.GetProperty("code").GetString());
        return problem;
    }
}
