using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Api;

namespace Sanmenxia.IntegrationTests.Localisation;

/// <summary>
/// Problems in the caller's language: the same bad input answered in Chinese by default (no Accept-Language, or
/// zh-CN) and in English with Accept-Language: en, with the same stable code and field codes either way.
/// </summary>
[Collection("api")]
public sealed class ProblemLanguageApiTests(ApiFactory factory)
{
    private HttpClient Client(string? language)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.AcceptLanguage.Clear(); // the factory's clients ask for English
        if (language is not null) client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        return client;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string language)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(language, Assert.Single(response.Content.Headers.ContentLanguage));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (language == "zh-CN") EnglishText.AssertNoneIn(problem);
        return problem;
    }

    private static string[] Strings(JsonElement problem, string property, string field) =>
        problem.GetProperty(property).GetProperty(field).EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Theory]
    [InlineData(null)]
    [InlineData("zh-CN,zh;q=0.9,en;q=0.8")]
    [InlineData("fr")]
    public async Task A_bad_phone_is_refused_in_chinese_by_default_with_the_codes_english_has(string? header)
    {
        var zh = await ProblemAsync(await Client(header).PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest("12345")), HttpStatusCode.BadRequest, "zh-CN");
        var en = await ProblemAsync(await Client("en").PostAsJsonAsync("/api/auth/resident/code", new ResidentCodeRequest("12345")), HttpStatusCode.BadRequest, "en");

        Assert.Equal(["应为 11 位数字（实际为 5 位）"], Strings(zh, "errors", "phone"));
        Assert.Equal(["must have 11 digits (got 5)"], Strings(en, "errors", "phone"));
        Assert.Equal("请求中有填写不正确的项", zh.GetProperty("title").GetString());
        Assert.Equal("The request has invalid fields", en.GetProperty("title").GetString());
        foreach (var problem in new[] { zh, en })
        {
            Assert.Equal("validation.invalid-fields", problem.GetProperty("code").GetString());
            Assert.Equal(["phone.length"], Strings(problem, "errorCodes", "phone"));
        }
    }

    [Fact]
    public async Task A_wrong_id_number_check_character_is_said_in_chinese()
    {
        var resident = await new ResidentFlow(factory).SignInAsync();
        var good = ResidentFlow.NewIdNumber();
        var bad = good[..17] + (good[17] == '1' ? '2' : '1');
        var village = (await factory.VillagesAsync())[0].Code;
        var body = new RegisterResidentRequest("王小明", bad, village, resident.Phone);

        resident.Client.DefaultRequestHeaders.AcceptLanguage.Clear();
        resident.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");
        var zh = await ProblemAsync(await resident.Client.PostAsJsonAsync("/api/residents/me", body), HttpStatusCode.BadRequest, "zh-CN");
        resident.Client.DefaultRequestHeaders.AcceptLanguage.Clear();
        resident.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var en = await ProblemAsync(await resident.Client.PostAsJsonAsync("/api/residents/me", body), HttpStatusCode.BadRequest, "en");

        Assert.Equal([$"身份证号校验位应为 {good[17]}"], Strings(zh, "errors", "idNumber"));
        Assert.Equal([$"check character should be {good[17]}"], Strings(en, "errors", "idNumber"));
        Assert.Equal(["id-number.check-digit"], Strings(zh, "errorCodes", "idNumber"));
        Assert.Equal(["id-number.check-digit"], Strings(en, "errorCodes", "idNumber"));
    }

    [Fact]
    public async Task A_wrong_password_is_a_coded_401_in_either_language()
    {
        var body = new StaffLoginRequest("admin", "not-the-password");
        var zh = await ProblemAsync(await Client(null).PostAsJsonAsync("/api/auth/staff/login", body), HttpStatusCode.Unauthorized, "zh-CN");
        var en = await ProblemAsync(await Client("en-US,en;q=0.9").PostAsJsonAsync("/api/auth/staff/login", body), HttpStatusCode.Unauthorized, "en");

        Assert.Equal("用户名不存在或密码错误。", zh.GetProperty("detail").GetString());
        Assert.Equal("Unknown username or wrong password.", en.GetProperty("detail").GetString());
        Assert.Equal("auth.wrong-password", zh.GetProperty("code").GetString());
        Assert.Equal("登录失败", zh.GetProperty("title").GetString());
        Assert.Equal("auth.wrong-password", en.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Framework_problems_are_translated_too_not_signed_in_and_malformed_json()
    {
        var zh = await ProblemAsync(await Client(null).GetAsync("/api/admin/staff"), HttpStatusCode.Unauthorized, "zh-CN");
        var en = await ProblemAsync(await Client("en").GetAsync("/api/admin/staff"), HttpStatusCode.Unauthorized, "en");
        Assert.Equal("请先登录", zh.GetProperty("title").GetString());
        Assert.Equal("auth.not-signed-in", zh.GetProperty("code").GetString());
        Assert.Equal("auth.not-signed-in", en.GetProperty("code").GetString());

        HttpContent Broken() => new StringContent("{\"phone\": 13800138000", Encoding.UTF8, "application/json");
        var zhJson = await ProblemAsync(await Client(null).PostAsync("/api/auth/resident/code", Broken()), HttpStatusCode.BadRequest, "zh-CN");
        var enJson = await ProblemAsync(await Client("en").PostAsync("/api/auth/resident/code", Broken()), HttpStatusCode.BadRequest, "en");
        Assert.Equal("请求正文格式有误", zhJson.GetProperty("title").GetString());
        Assert.Equal("json.malformed", zhJson.GetProperty("code").GetString());
        Assert.Equal("json.malformed", enJson.GetProperty("code").GetString());
        Assert.StartsWith("The JSON body could not be read", enJson.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_endpoint_code_is_kept_and_the_control_character_rule_is_translated()
    {
        var body = new StaffLoginRequest("adm\u202Ein", "whatever-password");
        var zh = await ProblemAsync(await Client(null).PostAsJsonAsync("/api/auth/staff/login", body), HttpStatusCode.BadRequest, "zh-CN");
        var en = await ProblemAsync(await Client("en").PostAsJsonAsync("/api/auth/staff/login", body), HttpStatusCode.BadRequest, "en");
        Assert.Equal("unsafe-text", zh.GetProperty("code").GetString());
        Assert.Equal("unsafe-text", en.GetProperty("code").GetString());
        Assert.Equal(["不能含有双向文本控制字符（U+202E）"], Strings(zh, "errors", "username"));
        Assert.Equal(["unsafe-text.bidi"], Strings(zh, "errorCodes", "username"));
    }

    [Fact]
    public async Task A_forged_qr_at_the_checkpoint_is_refused_in_chinese_with_its_token_code()
    {
        var admin = await factory.AdminClientAsync();
        var villages = await factory.VillagesAsync();
        var checkpointId = $"cp-{villages[0].Code[..9]}-{Random.Shared.Next(1000, 9999)}";
        (await admin.PostAsJsonAsync("/api/admin/checkpoints", new CreateCheckpointRequest(checkpointId, "卡口", villages[0].Code[..9], null, null)))
            .EnsureSuccessStatusCode();
        var pass = new RegisterPassRequest("In", "SMX1.not-a-real-token", null, null);

        admin.DefaultRequestHeaders.AcceptLanguage.Clear();
        var zh = await ProblemAsync(await admin.PostAsJsonAsync($"/api/checkpoints/{checkpointId}/passes", pass), HttpStatusCode.UnprocessableEntity, "zh-CN");
        admin.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var en = await ProblemAsync(await admin.PostAsJsonAsync($"/api/checkpoints/{checkpointId}/passes", pass), HttpStatusCode.UnprocessableEntity, "en");

        Assert.Equal("健康码不予通过", zh.GetProperty("title").GetString());
        Assert.Equal("Health code not accepted", en.GetProperty("title").GetString());
        Assert.StartsWith("token.", zh.GetProperty("code").GetString());
        Assert.Equal(en.GetProperty("code").GetString(), zh.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Csv_import_line_errors_are_reported_in_the_callers_language_with_codes()
    {
        var villages = await factory.VillagesAsync();
        var admin = await factory.AdminClientAsync();
        var good = ResidentFlow.NewIdNumber();
        var bad = good[..17] + (good[17] == '1' ? '2' : '1');
        HttpContent Csv() => new StringContent($"household,name,id_number,phone,village_code,head\nh-l10n,王小明,{bad},,{villages[0].Code},true\n", Encoding.UTF8, "text/csv");

        admin.DefaultRequestHeaders.AcceptLanguage.Clear();
        var zhResponse = await admin.PostAsync("/api/admin/residents/import", Csv());
        admin.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        var enResponse = await admin.PostAsync("/api/admin/residents/import", Csv());

        Assert.Equal("zh-CN", Assert.Single(zhResponse.Content.Headers.ContentLanguage));
        var zh = Assert.Single((await zhResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray());
        var en = Assert.Single((await enResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray());
        Assert.Equal($"身份证号校验位应为 {good[17]}", zh.GetProperty("reason").GetString());
        Assert.Equal($"check character should be {good[17]}", en.GetProperty("reason").GetString());
        Assert.Equal("id-number.check-digit", zh.GetProperty("code").GetString());
        Assert.Equal("id-number.check-digit", en.GetProperty("code").GetString());
    }
}
