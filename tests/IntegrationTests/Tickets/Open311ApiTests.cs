using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sanmenxia.IntegrationTests.Support;
using static Sanmenxia.IntegrationTests.Tickets.Open311Client;

namespace Sanmenxia.IntegrationTests.Tickets;

/// <summary>
/// The Open311 GeoReport v2 endpoint through HTTP, in JSON and in XML: the service list and definitions, discovery,
/// filing a request and reading it back one by one and by search.
/// </summary>
[Collection(TicketApiCollection.Name)]
public sealed class Open311ApiTests(TicketApiFixture fixture)
{
    private static readonly string[] ServiceFields = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"];
    private static readonly string[] AttributeFields = ["variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"];

    private string Village(int i) => fixture.Villages[i].Code;

    private async Task<string> FileAsync(string village, string service = "lead-gathering", string format = "json", string description = "广场上有二十多人聚集打牌")
    {
        var response = await PostAsync(fixture.Anonymous(), format, ("service_code", service), ("attribute[region_code]", village),
            ("address_string", "人民广场东侧"), ("lat", "34.7726"), ("long", "111.2003"), ("description", description));
        string id;
        if (format == "json") id = (await JsonAsync(response, 201))[0].GetProperty("service_request_id").GetString()!;
        else id = (await XmlAsync(response, 201, "service_requests")).Element("request")!.Element("service_request_id")!.Value;
        Assert.Equal($"{Root}/requests/{id}.{format}", response.Headers.Location?.OriginalString);
        return id;
    }

    [Fact]
    public async Task The_service_list_names_the_ten_categories_and_the_public_hotline_kinds_in_json_and_xml()
    {
        var json = await JsonAsync(await fixture.Anonymous().GetAsync($"{Root}/services.json"), 200);
        Assert.Equal(14, json.GetArrayLength());
        Assert.All(json.EnumerateArray(), s => Assert.Equal(ServiceFields, s.EnumerateObject().Select(p => p.Name)));
        var gathering = json.EnumerateArray().Single(s => s.GetProperty("service_code").GetString() == "lead-gathering");
        Assert.True(gathering.GetProperty("metadata").GetBoolean());
        Assert.Equal("realtime", gathering.GetProperty("type").GetString());
        Assert.Contains("聚集", gathering.GetProperty("service_name").GetString());
        Assert.Contains(json.EnumerateArray(), s => s.GetProperty("service_code").GetString() == "hotline-complaint");

        var xml = await XmlAsync(await fixture.Anonymous().GetAsync($"{Root}/services.xml"), 200, "services");
        Assert.Equal(14, xml.Elements("service").Count());
        Assert.All(xml.Elements(), s =>
        {
            Assert.Equal("service", s.Name.LocalName);
            Assert.Equal(ServiceFields, s.Elements().Select(e => e.Name.LocalName));
        });
        Assert.Equal(json.EnumerateArray().Select(s => s.GetProperty("service_code").GetString()), xml.Elements().Select(s => s.Element("service_code")!.Value));
        Assert.Equal("true", xml.Elements().First().Element("metadata")!.Value);
    }

    [Fact]
    public async Task A_service_definition_asks_for_the_region_and_the_call_back_in_json_and_xml()
    {
        var json = await JsonAsync(await fixture.Anonymous().GetAsync($"{Root}/services/lead-person-with-fever.json"), 200);
        Assert.Equal("lead-person-with-fever", json.GetProperty("service_code").GetString());
        var attributes = json.GetProperty("attributes").EnumerateArray().ToList();
        Assert.All(attributes, a => Assert.Equal(AttributeFields, a.EnumerateObject().Select(p => p.Name)));
        Assert.Equal("region_code", attributes[0].GetProperty("code").GetString());
        Assert.True(attributes[0].GetProperty("required").GetBoolean());
        Assert.Equal(1, attributes[0].GetProperty("order").GetInt32());
        Assert.Equal(["true", "false"], attributes[1].GetProperty("values").EnumerateArray().Select(v => v.GetProperty("key").GetString()));

        var xml = await XmlAsync(await fixture.Anonymous().GetAsync($"{Root}/services/hotline-help.xml"), 200, "service_definition");
        Assert.Equal(["service_code", "attributes"], xml.Elements().Select(e => e.Name.LocalName));
        var xmlAttributes = xml.Element("attributes")!.Elements().ToList();
        Assert.All(xmlAttributes, a => Assert.Equal("attribute", a.Name.LocalName));
        Assert.Equal(AttributeFields, xmlAttributes[1].Elements().Select(e => e.Name.LocalName));
        Assert.Equal(["value", "value"], xmlAttributes[1].Element("values")!.Elements().Select(v => v.Name.LocalName));
        Assert.Equal(["key", "name"], xmlAttributes[1].Element("values")!.Elements().First().Elements().Select(v => v.Name.LocalName));

        Assert.Contains("no-such", (await JsonErrorsAsync(await fixture.Anonymous().GetAsync($"{Root}/services/no-such.json"), HttpStatusCode.NotFound))[0]);
        Assert.Contains("no-such", (await XmlErrorsAsync(await fixture.Anonymous().GetAsync($"{Root}/services/no-such.xml"), HttpStatusCode.NotFound))[0]);
    }

    [Fact]
    public async Task Discovery_points_at_the_v2_endpoint_in_both_formats()
    {
        var json = await JsonAsync(await fixture.Anonymous().GetAsync("/open311/discovery.json"), 200);
        Assert.Equal(["changeset", "contact", "key_service", "endpoints"], json.EnumerateObject().Select(p => p.Name));
        var endpoint = json.GetProperty("endpoints")[0];
        Assert.Equal("http://wiki.open311.org/GeoReport_v2", endpoint.GetProperty("specification").GetString());
        Assert.EndsWith("/open311/v2", endpoint.GetProperty("url").GetString());
        Assert.Equal(["text/xml", "application/json"], endpoint.GetProperty("formats").EnumerateArray().Select(f => f.GetString()));

        var xml = await XmlAsync(await fixture.Anonymous().GetAsync("/open311/discovery.xml"), 200, "discovery");
        var xmlEndpoint = xml.Element("endpoints")!.Element("endpoint")!;
        Assert.Equal(["specification", "url", "changeset", "type", "formats"], xmlEndpoint.Elements().Select(e => e.Name.LocalName));
        Assert.Equal(["format", "format"], xmlEndpoint.Element("formats")!.Elements().Select(e => e.Name.LocalName));
    }

    [Fact]
    public async Task A_request_filed_in_json_reads_back_in_json_and_xml_and_is_the_same_ticket_as_a_lead()
    {
        var village = Village(5);
        var id = await FileAsync(village);

        var json = (await JsonAsync(await fixture.Anonymous().GetAsync($"{Root}/requests/{id}.json"), 200)).EnumerateArray().Single();
        Assert.Equal(RequestFields, json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(id, json.GetProperty("service_request_id").GetString());
        Assert.Equal("open", json.GetProperty("status").GetString());
        Assert.Contains("Received", json.GetProperty("status_notes").GetString());
        Assert.Equal("lead-gathering", json.GetProperty("service_code").GetString());
        Assert.Equal("广场上有二十多人聚集打牌", json.GetProperty("description").GetString());
        Assert.Contains("12345", json.GetProperty("agency_responsible").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$", json.GetProperty("requested_datetime").GetString());
        var requested = DateTimeOffset.Parse(json.GetProperty("requested_datetime").GetString()!);
        var expected = DateTimeOffset.Parse(json.GetProperty("expected_datetime").GetString()!);
        Assert.Equal(TimeSpan.FromHours(2), expected - requested);
        Assert.StartsWith("人民广场东侧, " + fixture.Villages[5].Name, json.GetProperty("address").GetString());
        Assert.Equal(village, json.GetProperty("address_id").GetString());
        Assert.Equal(34.7726, json.GetProperty("lat").GetDouble());
        Assert.Equal(111.2003, json.GetProperty("long").GetDouble());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("media_url").ValueKind);

        var xml = await XmlAsync(await fixture.Anonymous().GetAsync($"{Root}/requests/{id}.xml"), 200, "service_requests");
        var request = Assert.Single(xml.Elements());
        Assert.Equal("request", request.Name.LocalName);
        Assert.Equal(RequestFields, request.Elements().Select(e => e.Name.LocalName));
        Assert.Equal(json.GetProperty("requested_datetime").GetString(), request.Element("requested_datetime")!.Value);
        Assert.Equal("34.7726", request.Element("lat")!.Value);
        Assert.True(request.Element("zipcode")!.IsEmpty);

        // The lead route's public status knows it: one ticket, whichever door it came through.
        var status = await TicketApiFixture.JsonAsync(await fixture.Anonymous().GetAsync($"/api/tickets/public/{id}"), 200);
        Assert.Equal("Gathering", status.GetProperty("category").GetString());
        Assert.Equal("Report", status.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task A_request_filed_in_xml_for_a_hotline_kind_carries_no_category_and_follows_the_workflow_to_closed()
    {
        var id = await FileAsync(Village(6), "hotline-help", "xml", "家中老人需要买药");
        var status = await TicketApiFixture.JsonAsync(await fixture.Anonymous().GetAsync($"/api/tickets/public/{id}"), 200);
        Assert.Equal("Help", status.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("category").ValueKind);

        var hotline = await fixture.NewStaffAsync("hotline", "411200");
        foreach (var (action, body) in new (string, object)[] { ("accept", new { }), ("dispatch", new { department = "health-commission" }) })
            Assert.True((await hotline.PostAsync($"/api/tickets/{id}/{action}", JsonContent.Create(body))).IsSuccessStatusCode, action);
        var dispatched = (await JsonAsync(await fixture.Anonymous().GetAsync($"{Root}/requests/{id}.json"), 200))[0];
        Assert.Contains("Health commission", dispatched.GetProperty("agency_responsible").GetString());
        Assert.Contains("Dispatched to", dispatched.GetProperty("status_notes").GetString());
        foreach (var (action, body) in new (string, object)[] { ("handle", new { result = "已送药" }), ("feedback", new { outcome = "Satisfied" }), ("close", new { }) })
            Assert.True((await hotline.PostAsync($"/api/tickets/{id}/{action}", JsonContent.Create(body))).IsSuccessStatusCode, action);

        var closed = (await JsonAsync(await fixture.Anonymous().GetAsync($"{Root}/requests/{id}.json"), 200))[0];
        Assert.Equal("closed", closed.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, closed.GetProperty("expected_datetime").ValueKind);
        Assert.DoesNotContain("已送药", closed.GetRawText());
    }

    [Fact]
    public async Task The_search_filters_by_ids_service_status_and_window_newest_first()
    {
        var first = await FileAsync(Village(7), "lead-rumour");
        var second = await FileAsync(Village(7), "lead-price-gouging", "xml");
        var client = fixture.Anonymous();
        static IEnumerable<string> Ids(JsonElement list) => list.EnumerateArray().Select(r => r.GetProperty("service_request_id").GetString()!);

        var all = await Eventually.Until(async () => Ids(await JsonAsync(await client.GetAsync($"{Root}/requests.json"), 200)).ToList(),
            ids => ids.Contains(first) && ids.Contains(second), TimeSpan.FromSeconds(20), "both requests in the default window");
        Assert.True(all.IndexOf(second) < all.IndexOf(first), "newest first");

        var rumours = Ids(await JsonAsync(await client.GetAsync($"{Root}/requests.json?service_code=lead-rumour"), 200)).ToList();
        Assert.Contains(first, rumours);
        Assert.DoesNotContain(second, rumours);
        var both = Ids(await JsonAsync(await client.GetAsync($"{Root}/requests.json?service_code=lead-rumour,lead-price-gouging&status=open"), 200)).ToList();
        Assert.Contains(first, both);
        Assert.Contains(second, both);
        Assert.DoesNotContain(first, Ids(await JsonAsync(await client.GetAsync($"{Root}/requests.json?status=closed"), 200)));

        var byId = await JsonAsync(await client.GetAsync($"{Root}/requests.json?service_request_id={second},{first},12345-19990101-000001&status=closed"), 200);
        Assert.Equal([second, first], Ids(byId));

        var now = fixture.Clock.GetUtcNow();
        string W3c(DateTimeOffset t) => Uri.EscapeDataString(t.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz"));
        var window = $"start_date={W3c(now.AddMinutes(-1))}&end_date={W3c(now.AddMinutes(1))}";
        var xml = await XmlAsync(await client.GetAsync($"{Root}/requests.xml?{window}"), 200, "service_requests");
        Assert.Contains(first, xml.Elements("request").Select(r => r.Element("service_request_id")!.Value));
        Assert.All(xml.Elements(), r => Assert.Equal(RequestFields, r.Elements().Select(e => e.Name.LocalName)));
        var before = $"start_date={W3c(now.AddDays(-30))}&end_date={W3c(now.AddDays(-29))}";
        Assert.DoesNotContain(first, Ids(await JsonAsync(await client.GetAsync($"{Root}/requests.json?{before}"), 200)));
    }
}
