namespace Sanmenxia.Tickets.Open311;

/// <summary>One entry of the Open311 GeoReport v2 service list: what the public may file, and which ticket it becomes.</summary>
public sealed record Open311Service(string Code, string Name, string Description, string Group, string Keywords, TicketKind Kind, LeadCategory? Category);

/// <summary>An attribute of a service definition (GeoReport v2 "attribute"); list values are key → name.</summary>
public sealed record Open311Attribute(string Code, string Datatype, bool Required, string DatatypeDescription, int Order, string Description,
    IReadOnlyList<KeyValuePair<string, string>> Values);

/// <summary>
/// The services of our Open311 GeoReport v2 endpoint (pure): the ten lead categories of platform 1 (each a ticket of kind
/// Report with its category) and the 12345 kinds the public may file (consultation, verification, help, complaint; an
/// appeal is filed from the code page with the resident's identity, and a report is one of the ten categories). Codes are
/// stable; every service is "realtime" (the answer carries the ticket number) and has metadata, because the place must be
/// a known region: the <see cref="RegionAttribute"/> (or address_id) names it.
/// </summary>
public static class Open311Services
{
    public const string LeadGroup = "疫情线索 · Epidemic leads";
    public const string HotlineGroup = "12345 热线 · 12345 hotline";
    public const string RegionAttribute = "region_code";
    public const string CallbackAttribute = "callback";

    public static IReadOnlyList<Open311Service> All { get; } =
    [
        Lead("lead-no-fever-check-point", LeadCategory.NoFeverCheckPoint, "A village or community has no fever-check point.", "fever check, 发热检测点, checkpoint"),
        Lead("lead-person-with-fever", LeadCategory.PersonWithFever, "Someone has a fever and is not under observation.", "fever, 发热, symptom"),
        Lead("lead-gathering", LeadCategory.Gathering, "People gather (meals, games, ceremonies) against the rules.", "gathering, 聚集, crowd"),
        Lead("lead-back-from-wuhan", LeadCategory.BackFromWuhan, "Someone came back from Wuhan and has not registered.", "Wuhan, 武汉, returnee"),
        Lead("lead-vehicle-from-hubei", LeadCategory.VehicleFromHubei, "A vehicle came back from Hubei.", "Hubei, 湖北, vehicle, car"),
        Lead("lead-rumour", LeadCategory.Rumour, "A rumour about the epidemic is spreading.", "rumour, 谣言"),
        Lead("lead-price-gouging", LeadCategory.PriceGouging, "Prices of masks, food or medicine are driven up.", "price, 哄抬物价, gouging"),
        Lead("lead-fake-protective-supplies", LeadCategory.FakeProtectiveSupplies, "Fake masks or protective supplies are sold.", "fake, 假冒, mask, supplies"),
        Lead("lead-used-mask-resale", LeadCategory.UsedMaskResale, "Used masks are collected and resold.", "used masks, 废旧口罩, resale"),
        Lead("lead-wild-animal-trade", LeadCategory.WildAnimalTrade, "Wild animals are traded.", "wild animals, 野生动物, trade"),
        Hotline("hotline-consultation", TicketKind.Consultation, "咨询 · Consultation", "A question about the epidemic measures.", "question, 咨询, consultation"),
        Hotline("hotline-verification", TicketKind.Verification, "核实 · Verification request", "Ask the authorities to verify something.", "verify, 核实, verification"),
        Hotline("hotline-help", TicketKind.Help, "求助 · Help", "Ask for help (supplies, transport, care).", "help, 求助, assistance"),
        Hotline("hotline-complaint", TicketKind.Complaint, "投诉 · Complaint", "Complain about how the measures are carried out.", "complaint, 投诉"),
    ];

    private static Open311Service Lead(string code, LeadCategory category, string description, string keywords) =>
        new(code, LeadCategories.Label(category), description, LeadGroup, keywords, TicketKind.Report, category);

    private static Open311Service Hotline(string code, TicketKind kind, string name, string description, string keywords) =>
        new(code, name, description, HotlineGroup, keywords, kind, null);

    /// <summary>The service of a service_code (exact, case-sensitive as the list gives it), or null.</summary>
    public static Open311Service? Find(string? code) => code is null ? null : All.FirstOrDefault(s => string.Equals(s.Code, code.Trim(), StringComparison.Ordinal));

    /// <summary>The service a ticket belongs to; null for tickets the public cannot file (appeals), which Open311 does not show.</summary>
    public static Open311Service? Of(TicketKind kind, LeadCategory? category) =>
        All.FirstOrDefault(s => s.Kind == kind && (kind != TicketKind.Report || s.Category == category));

    /// <summary>The attributes of every service's definition: the region (required) and the call-back wish.</summary>
    public static IReadOnlyList<Open311Attribute> Attributes { get; } =
    [
        new(RegionAttribute, "string", true,
            "12-digit administrative code of the city, a county, township or village (GET /api/regions?parent=411200 lists them); address_id is read the same way",
            1, "行政区划代码 · Region where it happens (city down to village)", []),
        new(CallbackAttribute, "singlevaluelist", false, "true asks an operator to call back the phone given with the request", 2,
            "是否回电 · Call me back", [new("true", "请回电 · Call me back"), new("false", "不必回电 · No call back")]),
    ];
}
