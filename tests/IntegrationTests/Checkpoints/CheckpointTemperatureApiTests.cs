using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Api;

namespace Sanmenxia.IntegrationTests.Checkpoints;

/// <summary>
/// Issue 17: the temperature checkpoint staff measure with a pass (memory providers, fake clock). Validated 34.0–43.0 °C
/// as a field error; a fever (at or above the policy's 37.3 °C) refuses whatever the colour and is recorded with the pass;
/// a repeat within the duplicate window that brings the reading the first scan lacked decides again, counted once.
/// </summary>
[Collection("api")]
public sealed class CheckpointTemperatureApiTests(ApiFactory factory)
{
    private static int _sequence;

    private async Task<(string Id, HttpClient Staff)> NewCheckpointAsync()
    {
        var village = (await factory.VillagesAsync())[0].Code;
        var id = $"cp-{village}-{7000 + Interlocked.Increment(ref _sequence):D4}";
        var admin = await factory.AdminClientAsync();
        var created = await admin.PostAsJsonAsync("/api/admin/checkpoints", new CreateCheckpointRequest(id, "测温检测点", village, null, null));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (id, await factory.NewStaffAsync("checkpoint", village, id));
    }

    private static Task<HttpResponseMessage> Pass(HttpClient staff, string id, string idNumber, decimal? temperature, string direction = "In") =>
        staff.PostAsJsonAsync($"/api/checkpoints/{id}/passes", new RegisterPassRequest(direction, null, idNumber, null, temperature));

    private static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private async Task<ResidentFlow> ResidentAsync(string name)
    {
        var r = await new ResidentFlow(factory).SignInAsync();
        await r.RegisterAsync(name: name);
        await r.ApplyAsync();
        return r;
    }

    [Theory]
    [InlineData(33.9)]
    [InlineData(43.1)]
    [InlineData(365)]
    public async Task An_implausible_temperature_is_a_field_error_and_records_nothing(double temperature)
    {
        var (id, staff) = await NewCheckpointAsync();
        var r = await ResidentAsync("钱测温");

        var response = await Pass(staff, id, r.IdNumber, (decimal)temperature);
        var problem = await FoundationApiTests.AssertProblem(response, 400);
        Assert.Contains("34.0", problem.GetProperty("errors").GetProperty("temperature")[0].GetString());
        var view = await staff.GetFromJsonAsync<JsonElement>($"/api/checkpoints/{id}");
        Assert.Equal(0, view.GetProperty("today").GetProperty("passes").GetInt32());
    }

    [Fact]
    public async Task A_fever_refuses_a_green_code_and_the_reading_is_recorded_with_the_pass()
    {
        var (id, staff) = await NewCheckpointAsync();
        var r = await ResidentAsync("赵发烧");

        var pass = await Ok(await Pass(staff, id, r.IdNumber, 38.04m));
        Assert.Equal("Green", pass.GetProperty("colour").GetString());
        Assert.Equal("Refused", pass.GetProperty("outcome").GetString());
        Assert.Equal("fever.refused", pass.GetProperty("reasonCode").GetString());
        Assert.Contains("fever clinic", pass.GetProperty("reason").GetString());
        Assert.Equal(38.0m, pass.GetProperty("temperature").GetDecimal()); // one decimal
        Assert.Equal(1, pass.GetProperty("today").GetProperty("refused").GetInt32());
        Assert.Equal(0, pass.GetProperty("today").GetProperty("entries").GetInt32());

        var admin = await factory.AdminClientAsync();
        var listed = Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/checkpoints/{id}/passes")).GetProperty("items").EnumerateArray());
        Assert.Equal(38.0m, listed.GetProperty("temperature").GetDecimal());
        Assert.Equal("fever.refused", listed.GetProperty("reasonCode").GetString());
        Assert.Equal(37.3m, (await admin.GetFromJsonAsync<JsonElement>($"/api/checkpoints/{id}")).GetProperty("feverThreshold").GetDecimal());

        var csv = await admin.GetStringAsync($"/api/checkpoints/{id}/passes?format=csv");
        Assert.EndsWith(",temperature", csv.Split('\n')[0].TrimEnd('\r'));
        Assert.EndsWith(",38.0", csv.Split('\n')[1].TrimEnd('\r'));
    }

    [Fact]
    public async Task A_normal_reading_leaves_the_decision_and_is_recorded()
    {
        var (id, staff) = await NewCheckpointAsync();
        var r = await ResidentAsync("孙正常");

        var pass = await Ok(await Pass(staff, id, r.IdNumber, 36.6m));
        Assert.Equal("Allowed", pass.GetProperty("outcome").GetString());
        Assert.Equal(36.6m, pass.GetProperty("temperature").GetDecimal());
        var none = await Ok(await Pass(staff, id, r.IdNumber, null, "Out"));
        Assert.Equal(JsonValueKind.Null, none.GetProperty("temperature").ValueKind);
    }

    [Fact]
    public async Task A_yellow_check_then_a_repeat_with_a_fever_refuses_and_counts_the_person_once()
    {
        var (id, staff) = await NewCheckpointAsync();
        var r = await ResidentAsync("李复测");
        Assert.True((await r.ClockInAsync(38.2m)).IsSuccessStatusCode); // yellow until staff clear it

        var check = await Ok(await Pass(staff, id, r.IdNumber, null));
        Assert.Equal("Yellow", check.GetProperty("colour").GetString());
        Assert.Equal("Check", check.GetProperty("outcome").GetString());

        factory.Clock.Advance(TimeSpan.FromSeconds(40));
        var measured = await Ok(await Pass(staff, id, r.IdNumber, 37.8m));
        Assert.True(measured.GetProperty("duplicate").GetBoolean());
        Assert.Equal(check.GetProperty("passId").GetGuid(), measured.GetProperty("passId").GetGuid());
        Assert.Equal("Refused", measured.GetProperty("outcome").GetString());
        Assert.Equal("fever.refused", measured.GetProperty("reasonCode").GetString());
        Assert.Equal(37.8m, measured.GetProperty("temperature").GetDecimal());
        Assert.Equal(1, measured.GetProperty("today").GetProperty("passes").GetInt32());
        Assert.Equal(1, measured.GetProperty("today").GetProperty("duplicates").GetInt32());

        // A third scan in the window answers the fever refusal too.
        factory.Clock.Advance(TimeSpan.FromSeconds(10));
        var again = await Ok(await Pass(staff, id, r.IdNumber, null));
        Assert.Equal("fever.refused", again.GetProperty("reasonCode").GetString());
    }
}
