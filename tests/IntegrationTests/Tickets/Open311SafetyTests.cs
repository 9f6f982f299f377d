using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Sanmenxia.Api.Tickets;
using Sanmenxia.IntegrationTests.Api;
using static Sanmenxia.IntegrationTests.Tickets.Open311Client;

namespace Sanmenxia.IntegrationTests.Tickets;

/// <summary>
/// Open311's refusals in the specification's error format (400, 404, 429 with the lead route's shared limit) and its
/// promise: no personal data in any public answer, in either format.
/// </summary>
[Collection(TicketApiCollection.Name)]
public sealed class Open311SafetyTests(TicketApiFixture fixture)
{
    private const string Phone = "13812349876";
    private const string OtherPhone = "13998761234";
    private const string IdNumber = "41120219900101123X";

    private string Village(int i) => fixture.Villages[i].Code;

    private Task<HttpResponseMessage> PostAsync(string format, params (string, string)[] fields) => Open311Client.PostAsync(fixture.Anonymous(), format, fields);

    [Fact]
    public async Task Bad_requests_are_the_specs_errors_with_400_and_name_the_parameter()
    {
        var v = Village(8);
        var missingCode = await JsonErrorsAsync(await PostAsync("json", ("attribute[region_code]", v), ("address_string", "x"), ("description", "d")), HttpStatusCode.BadRequest);
        Assert.Contains(missingCode, e => e.StartsWith("service_code:"));

        var noLocation = await XmlErrorsAsync(await PostAsync("xml", ("service_code", "lead-rumour"), ("description", "谣言")), HttpStatusCode.BadRequest);
        Assert.Contains(noLocation, e => e.StartsWith("location:"));
        Assert.Contains(noLocation, e => e.StartsWith("attribute[region_code]:"));

        var tooLong = await JsonErrorsAsync(await PostAsync("json", ("service_code", "lead-rumour"), ("attribute[region_code]", v), ("address_string", "x"),
            ("description", new string('谣', 2001))), HttpStatusCode.BadRequest);
        Assert.Equal(["description: must be at most 2000 characters"], tooLong);

        var unknownRegion = await XmlErrorsAsync(await PostAsync("xml", ("service_code", "lead-rumour"), ("address_id", "411299999999"), ("description", "d")),
            HttpStatusCode.BadRequest);
        Assert.Contains(unknownRegion, e => e.StartsWith("address_id:"));

        var several = await JsonErrorsAsync(await PostAsync("json", ("service_code", "hotline-help"), ("attribute[region_code]", v), ("lat", "north"),
            ("long", "111"), ("attribute[callback]", "maybe"), ("attribute[colour]", "red"), ("description", "d")), HttpStatusCode.BadRequest);
        Assert.Contains(several, e => e.StartsWith("attribute[colour]: unknown parameter"));
        var typed = await JsonErrorsAsync(await PostAsync("json", ("service_code", "hotline-help"), ("attribute[region_code]", v), ("lat", "north"),
            ("long", "111"), ("attribute[callback]", "maybe"), ("description", "d")), HttpStatusCode.BadRequest);
        Assert.Contains(typed, e => e.StartsWith("lat:"));
        Assert.Contains(typed, e => e.StartsWith("attribute[callback]:"));

        var control = await JsonErrorsAsync(await PostAsync("json", ("service_code", "lead-rumour"), ("attribute[region_code]", v), ("address_string", "a\u0007b"),
            ("description", "d")), HttpStatusCode.BadRequest);
        Assert.Contains(control, e => e.StartsWith("address_string: must not contain a control character"));
        var zero = await XmlErrorsAsync(await PostAsync("xml", ("service_code", "lead-rumour"), ("attribute[region_code]", v), ("address_string", "a\u0000b"),
            ("description", "d")), HttpStatusCode.BadRequest);
        Assert.Contains("form could not be read", zero[0]);

        var json = await fixture.Anonymous().PostAsJsonAsync($"{Root}/requests.json", new { service_code = "lead-rumour" });
        Assert.Contains("x-www-form-urlencoded", (await JsonErrorsAsync(json, HttpStatusCode.BadRequest))[0]);

        var window = await XmlErrorsAsync(await fixture.Anonymous().GetAsync($"{Root}/requests.xml?start_date=2020-01-01&end_date=2020-06-01"), HttpStatusCode.BadRequest);
        Assert.Contains(window, e => e.Contains("90 days"));
        var filters = await JsonErrorsAsync(await fixture.Anonymous().GetAsync($"{Root}/requests.json?status=pending&service_code=potholes&start_date=soon"),
            HttpStatusCode.BadRequest);
        Assert.Equal(3, filters.Count);
    }

    [Fact]
    public async Task Unknown_things_are_404_in_the_specs_format()
    {
        Assert.Contains("no-such", (await JsonErrorsAsync(await PostAsync("json", ("service_code", "no-such"), ("address_id", Village(8)), ("description", "d")),
            HttpStatusCode.NotFound))[0]);
        Assert.Contains("12345-20200101-999999", (await JsonErrorsAsync(await fixture.Anonymous().GetAsync($"{Root}/requests/12345-20200101-999999.json"),
            HttpStatusCode.NotFound))[0]);
        await XmlErrorsAsync(await fixture.Anonymous().GetAsync($"{Root}/requests/not-a-number.xml"), HttpStatusCode.NotFound);
        await XmlErrorsAsync(await fixture.Anonymous().GetAsync($"{Root}/services.html"), HttpStatusCode.NotFound);
        await JsonErrorsAsync(await fixture.Anonymous().GetAsync($"{Root}/tokens/abc.json"), HttpStatusCode.NotFound);
        var xmlClient = fixture.Anonymous();
        xmlClient.DefaultRequestHeaders.Accept.ParseAdd("text/xml");
        await XmlErrorsAsync(await xmlClient.GetAsync($"{Root}/tokens/abc.xml"), HttpStatusCode.NotFound);
        await JsonErrorsAsync(await fixture.Anonymous().DeleteAsync($"{Root}/services.json"), HttpStatusCode.NotFound);
        Assert.Contains("jurisdiction_id", (await XmlErrorsAsync(await fixture.Anonymous().GetAsync($"{Root}/services.xml?jurisdiction_id=example.org"),
            HttpStatusCode.NotFound))[0]);
        await XmlAsync(await fixture.Anonymous().GetAsync($"{Root}/services.xml?jurisdiction_id=smx.gov.cn"), 200, "services");

        // Outside /open311 the RFC 9457 rule stands.
        var problem = await fixture.Anonymous().GetAsync("/api/tickets/public/12345-20200101-999999");
        Assert.Equal("application/problem+json", problem.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task No_public_answer_carries_the_callers_phone_name_email_or_an_id_number_in_either_format()
    {
        var v = Village(9);
        var post = await PostAsync("json", ("service_code", "lead-person-with-fever"), ("attribute[region_code]", v), ("attribute[callback]", "true"),
            ("address_string", $"东风路 3 号院，联系 {OtherPhone}"), ("first_name", "Jianguo"), ("last_name", "Zhangsan"), ("phone", Phone), ("email", "zhang@example.org"),
            ("description", $"邻居发烧三天，身份证 {IdNumber}，电话 {OtherPhone}"));
        var id = (await JsonAsync(post, 201))[0].GetProperty("service_request_id").GetString()!;

        // A call the hotline recorded: its text and address are the operator's, never shown through Open311.
        var hotline = await fixture.NewStaffAsync("hotline", "411200");
        var call = await TicketApiFixture.JsonAsync(await hotline.PostAsJsonAsync("/api/tickets", new CallRequest(null, "Complaint", null, v, "西街 8 号",
            34.1, 111.1, $"Wang Mou 投诉，回电 {Phone}", Phone, "Wang Mou", true)), 201);
        var callId = call.GetProperty("number").GetString()!;

        var client = fixture.Anonymous();
        var answers = new List<string>();
        foreach (var format in new[] { "json", "xml" })
        {
            answers.Add(await client.GetStringAsync($"{Root}/requests/{id}.{format}"));
            answers.Add(await client.GetStringAsync($"{Root}/requests/{callId}.{format}"));
            answers.Add(await client.GetStringAsync($"{Root}/requests.{format}?service_request_id={id},{callId}"));
            answers.Add(await client.GetStringAsync($"{Root}/requests.{format}"));
        }
        answers.Add(await post.Content.ReadAsStringAsync());
        foreach (var text in answers)
            foreach (var personal in new[] { Phone, OtherPhone, IdNumber, "Jianguo", "Zhangsan", "zhang@", "Wang Mou", "西街 8 号", "9876" })
                Assert.DoesNotContain(personal, text);

        var own = (await JsonAsync(await client.GetAsync($"{Root}/requests/{id}.json"), 200))[0];
        Assert.Equal("邻居发烧三天，身份证 ******************，电话 ***********", own.GetProperty("description").GetString());
        Assert.StartsWith("东风路 3 号院，联系 ***********, ", own.GetProperty("address").GetString());
        var recorded = (await JsonAsync(await client.GetAsync($"{Root}/requests/{callId}.json"), 200))[0];
        Assert.Equal("hotline-complaint", recorded.GetProperty("service_code").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, recorded.GetProperty("description").ValueKind);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, recorded.GetProperty("lat").ValueKind);
        Assert.StartsWith(fixture.Villages[9].Name, recorded.GetProperty("address").GetString());

        // Staff still have what they need: the phone kept for the call back (read through the audited route).
        var contact = await TicketApiFixture.JsonAsync(await hotline.GetAsync($"/api/tickets/{id}/contact"), 200);
        Assert.Equal(Phone, contact.GetProperty("phone").GetString());
        Assert.Equal("Jianguo Zhangsan", contact.GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_noncharacter_in_a_description_cannot_break_the_xml_answers()
    {
        var filed = await PostAsync("json", ("service_code", "lead-rumour"), ("attribute[region_code]", Village(10)), ("address_string", "村口"),
            ("description", "a\uFFFEb"));
        var id = (await JsonAsync(filed, 201))[0].GetProperty("service_request_id").GetString()!;
        var xml = await XmlAsync(await fixture.Anonymous().GetAsync($"{Root}/requests/{id}.xml"), 200, "service_requests");
        Assert.Equal("a\uFFFDb", xml.Element("request")!.Element("description")!.Value);
        await XmlAsync(await fixture.Anonymous().GetAsync($"{Root}/requests.xml?service_request_id={id}"), 200, "service_requests");
    }

    [Fact]
    public async Task Open311_filing_spends_the_same_per_client_allowance_as_the_lead_route()
    {
        // A factory of its own with a small allowance, so this test's traffic cannot starve the others'.
        await using var own = new ApiFactory();
        var client = own.WithWebHostBuilder(b => b.UseSetting("Tickets:PublicPermitsPerMinute", "3")).CreateClient();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsJsonAsync("/api/tickets/leads", new LeadRequest("Aliens", null, null, null, null, null, null, null, null))).StatusCode);

        var limited = await Open311Client.PostAsync(client, "xml", ("service_code", "lead-rumour"), ("address_id", "411202001001"), ("description", "d"));
        Assert.True(limited.Headers.Contains("Retry-After"));
        Assert.Contains("wait a minute", (await XmlErrorsAsync(limited, HttpStatusCode.TooManyRequests))[0]);
        await JsonErrorsAsync(await client.GetAsync($"{Root}/requests.json"), HttpStatusCode.TooManyRequests);
        // The service list is not limited (like the catalogue), and the lead route is limited by the Open311 traffic too.
        await XmlAsync(await client.GetAsync($"{Root}/services.xml"), 200, "services");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsJsonAsync("/api/tickets/leads", new LeadRequest("Rumour", null, null, null, null, null, null, null, null))).StatusCode);
    }
}
