using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sanmenxia.Api.Endpoints;
using Sanmenxia.IntegrationTests.Api;
using Sanmenxia.Security;
using Xunit.Abstractions;

namespace Sanmenxia.IntegrationTests.Security;

/// <summary>
/// An API of its own: the walk signs in, locks nothing shared, and leaves other collections' residents alone. The public
/// endpoints' per-address limits are raised so that their bodies are walked rather than answered 429 (a 429 is checked too:
/// the staff sign-in lockout still answers it).
/// </summary>
public sealed class BadInputApiFactory : ApiFactory
{
    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings() =>
    [
        new("Trips:QueryPermitsPerMinute", "100000"),
        new("Tickets:PublicPermitsPerMinute", "100000"),
    ];
}

[CollectionDefinition("bad-input")]
public sealed class BadInputCollection : ICollectionFixture<BadInputApiFactory>;

/// <summary>
/// Issue 16, item 10: every operation of the OpenAPI document, walked with generated bad input (wrong JSON types,
/// missing and unknown fields, huge, empty, control, bidi and odd Unicode text, out-of-range dates and numbers, malformed
/// JSON and CSV, bad route and query values) as anonymous, as a resident, as every staff role of the canary's county and
/// as staff of another county. It holds for every answer: no 5xx; every 4xx an RFC 9457 problem; no caller outside the
/// canary's county or household sees the canary's name, masked ID number or keys; and the canary is unchanged afterwards.
/// Driven by the document alone: a new endpoint is walked without editing this test.
/// </summary>
[Collection("bad-input")]
public sealed class BadInputHarnessTests(BadInputApiFactory factory, ITestOutputHelper output)
{
    /// <summary>Operations not walked, and why. Everything else in the document is.</summary>
    private static readonly Dictionary<string, string> Skipped = new(StringComparer.Ordinal)
    {
        ["POST /api/admin/regions/generate"] = "an empty or partial body is valid (the defaults) and regenerates the whole region tree, "
            + "minutes of work per call; its bounds (6..20000 villages) are refused before any work and tested in FoundationApiTests",
        ["POST /api/admin/checkpoints/generate"] = "an empty body is valid (the default target) and defines checkpoints over the whole tree; "
            + "its bound (1..50000) is refused before any work",
    };

    /// <summary>(method path, caller) pairs not walked, and why.</summary>
    private static readonly Dictionary<string, string> SkippedForCaller = new(StringComparer.Ordinal)
    {
        ["POST /api/auth/logout as resident-home"] = "signs the walking resident out on every device (by design), which would turn its remaining calls into 401s",
        ["POST /api/auth/logout as resident-foreign"] = "as above",
    };

    private const int MaxCasesPerOperation = 48;
    private const int UnauthorisedSampleEvery = 7;

    private sealed record Caller(string Name, HttpClient Client, bool Outsider);
    private sealed record Case(string Label, string Path, string? Query, Func<HttpContent?> Body);
    private sealed record Operation(string Method, string Template, JsonObject Definition);

    [Fact]
    public async Task Every_operation_answers_bad_input_with_a_problem_and_leaks_nothing_across_jurisdictions()
    {
        var started = Stopwatch.StartNew();
        var villages = await factory.VillagesAsync();
        var home = villages[0];
        var homeCounty = home.Code[..6];
        var foreign = villages.First(v => v.Code[..6] != homeCounty);
        var foreignCounty = foreign.Code[..6];

        // ------------------------------------------------------------------ the canary and the callers
        var admin = await factory.AdminClientAsync();
        var checkpointId = $"cp-{home.Code[..9]}-0001";
        (await admin.PostAsJsonAsync("/api/admin/checkpoints", new CreateCheckpointRequest(checkpointId, "Canary gate", home.Code[..9], null, []))).EnsureSuccessStatusCode();

        var canaryName = "Canaryqzx " + Guid.NewGuid().ToString("N")[..6];
        var canary = await new ResidentFlow(factory).SignInAsync();
        await canary.RegisterAsync(home.Code, canaryName);
        await canary.ApplyAsync();
        var memberName = "Canarymbr " + Guid.NewGuid().ToString("N")[..6];
        var added = await canary.Client.PostAsJsonAsync("/api/households/mine/members", new AddMemberRequest(memberName, ResidentFlow.NewIdNumber(), null));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var member = await added.Content.ReadFromJsonAsync<JsonElement>();
        var memberKey = member.GetProperty("residentKey").GetString()!;
        var canaryProfile = (await canary.Client.GetFromJsonAsync<JsonElement>("/api/residents/me")).GetProperty("profile");
        var householdId = canaryProfile.GetProperty("householdId").GetString()!;
        var secrets = new[]
        {
            canaryName, memberName, canary.ResidentKey, memberKey, householdId,
            canaryProfile.GetProperty("maskedIdNumber").GetString()!, member.GetProperty("maskedIdNumber").GetString()!,
        };

        var neighbour = await new ResidentFlow(factory).SignInAsync();
        await neighbour.RegisterAsync(home.Code, "Neighbour Li");
        var stranger = await new ResidentFlow(factory).SignInAsync();
        await stranger.RegisterAsync(foreign.Code, "Stranger Wu");
        var unregistered = await new ResidentFlow(factory).SignInAsync();
        foreach (var masked in new[] { neighbour, stranger }.Select(r => r.IdNumber[..4] + new string('*', 12) + r.IdNumber[^2..]))
            Assert.DoesNotContain(masked, secrets); // a masked ID number shared by chance would be a false leak

        var homeVillage = await factory.NewStaffAsync(Roles.VillageStaff, homeCounty);
        // Leave the canary in the audit log and in the village's lists, where an outsider might find it.
        (await homeVillage.GetAsync($"/api/villages/{home.Code}/residents/{canary.ResidentKey}")).EnsureSuccessStatusCode();

        var callers = new List<Caller>
        {
            new("anonymous", factory.CreateClient(), Outsider: true),
            new("resident-unregistered", unregistered.Client, Outsider: true),
            new("resident-home", neighbour.Client, Outsider: true),
            new("resident-foreign", stranger.Client, Outsider: true),
            new("village-home", homeVillage, Outsider: false),
            new("hotline-home", await factory.NewStaffAsync(Roles.Hotline, homeCounty), Outsider: false),
            new("commander-home", await factory.NewStaffAsync(Roles.Commander, homeCounty), Outsider: false),
            new("checkpoint-home", await factory.NewStaffAsync(Roles.CheckpointStaff, homeCounty, checkpointId), Outsider: false),
            new("admin-home", await factory.NewStaffAsync(Roles.Admin, homeCounty), Outsider: false),
            new("village-foreign", await factory.NewStaffAsync(Roles.VillageStaff, foreignCounty), Outsider: true),
            new("hotline-foreign", await factory.NewStaffAsync(Roles.Hotline, foreignCounty), Outsider: true),
            new("commander-foreign", await factory.NewStaffAsync(Roles.Commander, foreignCounty), Outsider: true),
            new("checkpoint-foreign", await factory.NewStaffAsync(Roles.CheckpointStaff, foreignCounty, $"cp-{foreign.Code[..9]}-0001"), Outsider: true),
            new("admin-foreign", await factory.NewStaffAsync(Roles.Admin, foreignCounty), Outsider: true),
        };

        var before = await SnapshotAsync(canary.Client, memberKey);

        // ------------------------------------------------------------------ the document
        var document = JsonNode.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json"))!.AsObject();
        var operations = Operations(document).ToList();
        Assert.True(operations.Count >= 60, $"the document lists {operations.Count} operations; expected the whole API");
        var routeValues = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["code"] = home.Code, ["residentKey"] = canary.ResidentKey, ["memberKey"] = memberKey, ["id"] = checkpointId,
            ["username"] = "nobody-" + Guid.NewGuid().ToString("N")[..6], ["number"] = "12345-20200201-0001",
            ["format"] = "json", ["serviceCode"] = "lead-rumour",
        };

        // ------------------------------------------------------------------ the walk
        var failures = new ConcurrentBag<string>();
        var statuses = new ConcurrentDictionary<string, ConcurrentDictionary<int, int>>();
        var sent = 0;
        var walked = 0;
        using var gate = new SemaphoreSlim(6);
        async Task<HttpResponseMessage> SendAsync(Operation op, Caller caller, Case c)
        {
            await gate.WaitAsync();
            try
            {
                using var request = new HttpRequestMessage(new HttpMethod(op.Method), c.Path + (c.Query is null ? "" : "?" + c.Query)) { Content = c.Body() };
                var response = await caller.Client.SendAsync(request);
                Interlocked.Increment(ref sent);
                statuses.GetOrAdd($"{op.Method} {op.Template}", _ => new()).AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                await CheckAsync(op, caller, c, response, secrets, failures);
                return response;
            }
            finally { gate.Release(); }
        }

        await Task.WhenAll(operations.Select(async op =>
        {
            var name = $"{op.Method} {op.Template}";
            if (Skipped.ContainsKey(name)) return;
            Interlocked.Increment(ref walked);
            var cases = Cases(document, op, routeValues).ToList();
            await Task.WhenAll(callers.Select(async caller =>
            {
                if (SkippedForCaller.ContainsKey($"{name} as {caller.Name}")) return;
                // The first case probes whether this caller gets past authorization: if not, a sample of the rest suffices.
                var probe = await SendAsync(op, caller, cases[0]);
                var authorised = probe.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden);
                for (var i = 1; i < cases.Count; i++)
                    if (authorised || i % UnauthorisedSampleEvery == 0) await SendAsync(op, caller, cases[i]);
            }));
        }));

        var after = await SnapshotAsync(canary.Client, memberKey);
        output.WriteLine($"walked {walked} of {operations.Count} operations ({Skipped.Count} skipped) with {callers.Count} callers: {sent} requests in {started.Elapsed.TotalSeconds:F0} s");
        foreach (var (op, why) in Skipped) output.WriteLine($"skipped {op}: {why}");
        foreach (var (op, counts) in statuses.OrderBy(s => s.Key))
            output.WriteLine($"{op}: " + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}×{c.Value}")));
        if (before != after) failures.Add($"the canary changed:\nbefore: {before}\nafter: {after}");
        Assert.True(failures.IsEmpty, $"{failures.Count} bad answers:\n" + string.Join("\n", failures.OrderBy(f => f).Take(60)));
    }

    // ------------------------------------------------------------------ checks

    private static async Task CheckAsync(Operation op, Caller caller, Case c, HttpResponseMessage response, string[] secrets, ConcurrentBag<string> failures)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        var where = $"{op.Method} {op.Template} as {caller.Name}, {c.Label}: {status}";
        if (status >= 500) { failures.Add($"{where} (5xx) {Snip(body)}"); return; }
        if (status >= 400 && op.Template.StartsWith("/open311/", StringComparison.Ordinal))
        {
            // Open311 routes answer the GeoReport v2 error format (docs/tickets.md), JSON or XML by the extension.
            if (Open311ErrorProblem(response.Content.Headers.ContentType?.MediaType, body, status) is { } wrong) failures.Add($"{where} {wrong} {Snip(body)}");
            return;
        }
        if (status >= 400)
        {
            var type = response.Content.Headers.ContentType?.MediaType;
            if (type != "application/problem+json") { failures.Add($"{where} is not a problem (content type {type ?? "none"}) {Snip(body)}"); return; }
            try
            {
                var problem = JsonDocument.Parse(body).RootElement;
                if (!problem.TryGetProperty("title", out var title) || title.ValueKind != JsonValueKind.String
                    || !problem.TryGetProperty("status", out var s) || s.GetInt32() != status)
                    failures.Add($"{where} problem lacks title or the right status {Snip(body)}");
            }
            catch (JsonException) { failures.Add($"{where} problem is not JSON {Snip(body)}"); }
            return;
        }
        if (status is >= 200 and < 300 && caller.Outsider && Leaks(body, secrets) is { } leaked)
            failures.Add($"{where} shows the canary's {leaked} to an outsider {Snip(body)}");
    }

    /// <summary>What is wrong with an Open311 error answer ([{code, description}] or &lt;errors&gt;&lt;error&gt;…), or null.</summary>
    private static string? Open311ErrorProblem(string? type, string body, int status)
    {
        try
        {
            var codes = type switch
            {
                "application/json" => JsonDocument.Parse(body).RootElement.EnumerateArray()
                    .Select(e => (Code: e.GetProperty("code").GetInt32(), Text: e.GetProperty("description").GetString())).ToList(),
                "text/xml" => System.Xml.Linq.XDocument.Parse(body).Root is { Name.LocalName: "errors" } root
                    ? root.Elements("error").Select(e => (Code: int.Parse(e.Element("code")!.Value), Text: (string?)e.Element("description")!.Value)).ToList()
                    : null,
                _ => null,
            };
            if (codes is null) return $"is not an Open311 error (content type {type ?? "none"})";
            return codes.Count > 0 && codes.All(c => c.Code == status && !string.IsNullOrEmpty(c.Text)) ? null : "has no error with the right code and a description";
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or System.Xml.XmlException or NullReferenceException or FormatException)
        {
            return $"is not a well-formed Open311 error ({e.GetType().Name})";
        }
    }

    /// <summary>Which secret a body shows, raw or inside a JSON string (System.Text.Json escapes non-ASCII text).</summary>
    private static string? Leaks(string body, string[] secrets)
    {
        var text = body;
        try { text += "\n" + string.Join("\n", Strings(JsonNode.Parse(body))); } catch (JsonException) { }
        return secrets.FirstOrDefault(s => text.Contains(s, StringComparison.Ordinal));
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Strings(p.Value).Append(p.Key)),
        JsonArray a => a.SelectMany(Strings),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };

    private static string Snip(string body) => body.Length <= 240 ? body : body[..240] + "…";

    private static async Task<string> SnapshotAsync(HttpClient canary, string memberKey)
    {
        var parts = new List<string>();
        foreach (var url in new[] { "/api/residents/me", "/api/residents/me/code", "/api/households/mine", $"/api/households/mine/members/{memberKey}/code" })
        {
            var response = await canary.GetAsync(url);
            parts.Add($"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return string.Join("\n", parts);
    }

    // ------------------------------------------------------------------ the document's operations

    private static IEnumerable<Operation> Operations(JsonObject document)
    {
        foreach (var (path, item) in document["paths"]!.AsObject())
            foreach (var (method, definition) in item!.AsObject())
                if (method is "get" or "post" or "put" or "delete" or "patch")
                    yield return new Operation(method.ToUpperInvariant(), path, definition!.AsObject());
    }

    private static JsonObject? Resolve(JsonObject document, JsonNode? schema, int depth = 0)
    {
        if (schema is not JsonObject o || depth > 8) return null;
        if (o["$ref"]?.GetValue<string>() is { } reference)
            return Resolve(document, document["components"]?["schemas"]?[reference.Split('/')[^1]], depth + 1);
        foreach (var combinator in new[] { "oneOf", "anyOf", "allOf" })
            if (o[combinator] is JsonArray options)
                return options.Select(s => Resolve(document, s, depth + 1)).FirstOrDefault(s => s is not null && TypeOf(s) != "null");
        return o;
    }

    private static string TypeOf(JsonObject schema) => schema["type"] switch
    {
        JsonValue v => v.GetValue<string>(),
        JsonArray a => a.Select(t => t!.GetValue<string>()).FirstOrDefault(t => t != "null") ?? "null",
        _ => schema["properties"] is not null ? "object" : schema["enum"] is not null ? "string" : "any",
    };

    /// <summary>A plausible value of a schema: right type, but text ("x") no real validator accepts as a code or number.</summary>
    private static JsonNode? Base(JsonObject document, JsonNode? schemaNode, int depth = 0)
    {
        var schema = Resolve(document, schemaNode);
        if (schema is null || depth > 3) return "x";
        return TypeOf(schema) switch
        {
            "object" => new JsonObject((schema["properties"]?.AsObject() ?? [])
                .Select(p => KeyValuePair.Create(p.Key, Base(document, p.Value, depth + 1)))),
            "array" => new JsonArray(Base(document, schema["items"], depth + 1)),
            "integer" => 1,
            "number" => 1.5,
            "boolean" => true,
            "string" => schema["format"]?.GetValue<string>() switch
            {
                "date" => "2020-02-01",
                "date-time" => "2020-02-01T08:00:00+08:00",
                _ => "x",
            },
            _ => "x",
        };
    }

    // ------------------------------------------------------------------ the generator

    private static readonly string Huge = new('字', 100 * 1024 / 3 + 1); // ≈ 100 KB of UTF-8

    /// <summary>Raw JSON values for a string field: each is text the API should refuse or answer for, never fail on.</summary>
    private static readonly (string Label, string Json)[] BadStrings =
    [
        ("empty", "\"\""), ("blank", "\"   \""), ("huge 100 KB", JsonSerializer.Serialize(Huge)), ("NUL", "\"a\\u0000b\""),
        ("bell", "\"a\\u0007b\""), ("line break", "\"a\\nb\""), ("C1 NEL", "\"a\\u0085b\""), ("RLO bidi", "\"\\u202Eabc\""),
        ("isolate bidi", "\"\\u2066abc\\u2069\""), ("unpaired high surrogate", "\"a\\uD800b\""), ("unpaired low surrogate", "\"\\uDC00\""),
        ("emoji", "\"😷🦠\""), ("full-width digits", "\"４１１２０２\""), ("date 0001-01-01", "\"0001-01-01\""),
        ("date 9999-12-31", "\"9999-12-31T23:59:59Z\""), ("not a date", "\"2020-02-30\""), ("path-like", "\"../../etc/passwd\""),
        ("formula", "\"=HYPERLINK(\\\"http://x\\\")\""), ("zero-width", "\"a\\u200Bb\""), ("BOM", "\"\\uFEFF411202\""),
    ];

    private static readonly (string Label, string Json)[] BadNumbers =
    [
        ("negative", "-1"), ("zero", "0"), ("huge", "1e308"), ("int overflow", "2147483648"), ("long overflow", "99999999999999999999999"),
        ("tiny", "1e-30"), ("negative huge", "-9.9e99"), ("fraction", "0.5"),
    ];

    private static readonly (string Label, string Json)[] WrongTypes =
    [
        ("null", "null"), ("a number", "12345"), ("a string", "\"abc\""), ("a boolean", "true"), ("an object", "{\"a\":1}"),
        ("an array", "[1,\"a\",null]"), ("a deep array", new string('[', 70) + new string(']', 70)),
    ];

    private static readonly (string Label, string Path)[] BadRouteValues =
    [
        ("space", "%20"), ("inner space", "a%20b"), ("very long", new string('a', 4096)), ("path-like", "..%2F..%2Fetc%2Fpasswd"),
        ("dots", ".."), ("full-width", "%EF%BC%94%EF%BC%91"), ("control", "a%07b"), ("bidi", "%E2%80%AEabc"),
        ("emoji", "%F0%9F%98%B7"), ("invalid UTF-8", "%FF%FE"), ("percent", "%25"), ("negative", "-1"), ("huge number", "99999999999999999999"),
    ];

    private static readonly (string Label, string Value)[] BadQueryValues =
    [
        ("empty", ""), ("abc", "abc"), ("negative", "-1"), ("huge", "99999999999999999999"), ("date 0001", "0001-01-01"),
        ("date 9999", "9999-12-31"), ("control", "a%07b"), ("bidi", "%E2%80%AE1"), ("full-width", "%EF%BC%91"), ("long", new string('9', 4096)),
        ("invalid UTF-8", "%FF"), ("surrogate", "%ED%A0%80"),
    ];

    private static readonly (string Label, string Body)[] BadCsv =
    [
        ("empty", ""), ("BOM only", "\uFEFF"), ("header only", "a,b,c\n"), ("NUL", "a,b\n1,\u00002\n"), ("bidi", "a,b\n\u202E1,2\n"),
        ("C1", "a,b\n\u00851,2\n"), ("unterminated quote", "a,b\n\"1,2\n"), ("huge cell", "a,b\n" + Huge + ",2\n"),
        ("formula", "a,b\n=HYPERLINK(\"http://x\"),2\n"), ("ragged", "a,b\n1,2,3,4,5\n1\n"),
    ];

    /// <summary>Every case for an operation, bounded and deterministic: route, query and body variants of one plausible request.</summary>
    private static IEnumerable<Case> Cases(JsonObject document, Operation op, IReadOnlyDictionary<string, string> routeValues)
    {
        var parameters = (op.Definition["parameters"]?.AsArray() ?? []).OfType<JsonObject>().ToList();
        var routeNames = parameters.Where(p => p["in"]?.GetValue<string>() == "path").Select(p => p["name"]!.GetValue<string>()).ToList();
        var queryNames = parameters.Where(p => p["in"]?.GetValue<string>() == "query").Select(p => p["name"]!.GetValue<string>()).ToList();
        string PathWith(string? name, string? value)
        {
            var path = op.Template;
            foreach (var route in routeNames)
                path = path.Replace("{" + route + "}", route == name ? value! : Uri.EscapeDataString(routeValues.GetValueOrDefault(route, "x")));
            return path;
        }
        var content = op.Definition["requestBody"]?["content"]?.AsObject();
        var jsonSchema = content?.FirstOrDefault(c => c.Key.Contains("json")).Value?["schema"];
        var csv = content?.Any(c => c.Key.Contains("csv") || c.Key.StartsWith("text/")) == true;
        var hasBody = op.Method is "POST" or "PUT" or "PATCH";
        var baseBody = jsonSchema is null ? new JsonObject() : Base(document, jsonSchema);
        HttpContent? Json(string raw) => hasBody ? new StringContent(raw, Encoding.UTF8, "application/json") : null;
        HttpContent? Plausible() => csv ? new StringContent("a,b\n1,2\n", Encoding.UTF8, "text/csv") : Json(baseBody?.ToJsonString() ?? "{}");

        var plain = PathWith(null, null);
        var cases = new List<Case> { new("plausible", plain, null, Plausible) };
        var varied = new List<Case>();

        foreach (var route in routeNames)
            foreach (var (label, value) in BadRouteValues)
                varied.Add(new($"route {route} {label}", PathWith(route, value), null, Plausible));
        foreach (var (label, value) in BadQueryValues)
            varied.Add(new($"query {label}", plain, string.Join("&", queryNames.DefaultIfEmpty("unknown").Select(q => $"{q}={value}")), Plausible));
        varied.Add(new("unknown query key", plain, "zz=1&zz=2", Plausible));

        if (hasBody && csv)
            foreach (var (label, body) in BadCsv)
                varied.Add(new($"csv {label}", plain, null, () => new StringContent(body, Encoding.UTF8, "text/csv")));
        if (hasBody)
        {
            varied.Add(new("malformed JSON", plain, null, () => Json("{\"a\":")));
            varied.Add(new("not JSON", plain, null, () => Json("<xml/>")));
            varied.Add(new("empty body", plain, null, () => Json("")));
            varied.Add(new("JSON null", plain, null, () => Json("null")));
            varied.Add(new("JSON array", plain, null, () => Json("[]")));
            varied.Add(new("JSON string", plain, null, () => Json("\"x\"")));
            varied.Add(new("deep nesting", plain, null, () => Json(new string('[', 200) + new string(']', 200))));
            varied.Add(new("trailing garbage", plain, null, () => Json("{} {}")));
            varied.Add(new("wrong content type", plain, null, () => new StringContent(baseBody?.ToJsonString() ?? "{}", Encoding.UTF8, "text/plain")));
            varied.Add(new("form content", plain, null, () => new FormUrlEncodedContent([KeyValuePair.Create("a", "b")])));
            varied.Add(new("invalid UTF-8", plain, null, () => new ByteArrayContent([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } }));
            if (baseBody is JsonObject obj)
            {
                var empty = (JsonObject)obj.DeepClone();
                foreach (var key in empty.Select(p => p.Key).ToList()) if (empty[key] is JsonValue v && v.TryGetValue<string>(out _)) empty[key] = "";
                empty["unknownKey"] = "x"; empty["__proto__"] = new JsonObject { ["admin"] = true };
                varied.Add(new("unknown extra keys", plain, null, () => Json(empty.ToJsonString())));
                varied.Add(new("duplicate keys", plain, null, () => Json("{\"a\":1,\"a\":2}")));
                var schema = Resolve(document, jsonSchema);
                foreach (var (property, propertySchema) in schema?["properties"]?.AsObject() ?? [])
                {
                    var without = (JsonObject)obj.DeepClone();
                    without.Remove(property);
                    varied.Add(new($"missing {property}", plain, null, () => Json(without.ToJsonString())));
                    var type = Resolve(document, propertySchema) is { } p ? TypeOf(p) : "any";
                    var values = WrongTypes.AsEnumerable();
                    if (type is "string" or "any") values = values.Concat(BadStrings);
                    if (type is "integer" or "number") values = values.Concat(BadNumbers);
                    if (type is "array") values = values.Concat(BadStrings.Select(s => (s.Label + " element", "[" + s.Json + "]")));
                    foreach (var (label, raw) in values)
                    {
                        var with = (JsonObject)obj.DeepClone();
                        with[property] = "\u0001RAW\u0001";
                        varied.Add(new($"{property} {label}", plain, null, () => Json(with.ToJsonString().Replace("\"\\u0001RAW\\u0001\"", raw))));
                    }
                }
            }
        }
        // A fixed shuffle keeps every kind of case in reach when an operation has more than the bound.
        var random = new Random(op.Template.Length * 31 + op.Method.Length);
        cases.AddRange(varied.OrderBy(_ => random.Next()).Take(MaxCasesPerOperation - 1));
        return cases;
    }
}
