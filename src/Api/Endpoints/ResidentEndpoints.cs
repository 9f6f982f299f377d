using System.Security.Claims;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Residents;
using Sanmenxia.Api.Security;
using Sanmenxia.Platform.Time;
using Sanmenxia.HealthCode;
using Sanmenxia.Identity;
using Sanmenxia.Regions;
using Sanmenxia.Residents;
using Sanmenxia.Security;

namespace Sanmenxia.Api.Endpoints;

public sealed record RegisterResidentRequest(string? Name, string? IdNumber, string? VillageCode, string? Phone);
public sealed record RegisterResidentResponse(string Token, DateTimeOffset ExpiresAt, ResidentProfile Profile);
public sealed record ApplyRequest(decimal? Temperature, bool? HonestyPledge);
public sealed record ClockInRequest(decimal? Temperature, IReadOnlyList<string>? Symptoms);
public sealed record SelfReportRequest(decimal? Temperature, IReadOnlyList<string>? Symptoms, string? RecentTravel);
public sealed record NeedRequest(string? Kind, string? Detail);
public sealed record AddMemberRequest(string? Name, string? IdNumber, string? Phone);
public sealed record QrResponse(string Token, DateTimeOffset ExpiresAt, string Colour, string Svg);

public static class ResidentEndpoints
{
    public static IEndpointRouteBuilder MapResidentEndpoints(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/residents/me").WithTags("Residents").RequireAuthorization(Policies.Resident);
        // Safe to re-run: the same ID number and phone asked again finishes the registration (IRegistrationGrain).
        me.MapPost("/", Register);
        me.MapGet("/", Overview);
        me.MapGet("/code", (ClaimsPrincipal user, IGrainFactory grains, VillageContacts contacts) => WithResident(user, key => GetCode(grains, contacts, key)));
        me.MapGet("/code/qr", Qr);
        me.MapPost("/apply", (ApplyRequest body, ClaimsPrincipal user, IGrainFactory grains, VillageContacts contacts) =>
            WithResident(user, key => Apply(grains, contacts, key, body, Actor.Self(key))));
        me.MapPost("/clock-in", (ClockInRequest body, ClaimsPrincipal user, IGrainFactory grains, VillageContacts contacts, IOptions<JsonOptions> json) =>
            WithResident(user, key => ClockIn(grains, contacts, key, body, Actor.Self(key), json.Value)));
        me.MapPut("/self-report", SelfReport);
        me.MapPost("/needs", AddNeed);

        var household = app.MapGroup("/api/households/mine").WithTags("Households").RequireAuthorization(Policies.Resident);
        household.MapGet("/", MyHousehold);
        household.MapPost("/members", AddMember); // as Register: the same member asked again into the same household finishes it
        household.MapGet("/members/{memberKey}/code", (string memberKey, ClaimsPrincipal user, IGrainFactory grains, VillageContacts contacts) =>
            AsHead(user, grains, memberKey, (_, _) => GetCode(grains, contacts, memberKey)));
        household.MapGet("/members/{memberKey}/code/qr", (string memberKey, ClaimsPrincipal user, IGrainFactory grains, HealthCodeQr qr) =>
            AsHead(user, grains, memberKey, (_, _) => QrFor(grains, qr, memberKey)));
        household.MapPost("/members/{memberKey}/apply", (string memberKey, ApplyRequest body, ClaimsPrincipal user, IGrainFactory grains, VillageContacts contacts) =>
            AsHead(user, grains, memberKey, (head, _) => Apply(grains, contacts, memberKey, body, Actor.Proxy(head))));
        household.MapPost("/members/{memberKey}/clock-in", (string memberKey, ClockInRequest body, ClaimsPrincipal user, IGrainFactory grains,
            VillageContacts contacts, IOptions<JsonOptions> json) =>
            AsHead(user, grains, memberKey, (head, _) => ClockIn(grains, contacts, memberKey, body, Actor.Proxy(head), json.Value)));
        return app;
    }

    // ------------------------------------------------------------------ registration and reads

    private static async Task<IResult> Register(RegisterResidentRequest body, ClaimsPrincipal user,
        RegionCatalog regions, PseudonymousKeys keys, IGrainFactory grains, TokenIssuer tokens, IOptions<AuthOptions> auth,
        DomainCalendar calendar, HttpContext http)
    {
        var caller = Caller.From(user);
        if (caller.ResidentKey is not null) return Refusals.Conflict("This phone is already registered to a resident.");
        var errors = new FieldErrors();
        var name = ValidateName(errors, body.Name);
        var id = ValidateIdNumber(errors, body.IdNumber, calendar);
        var village = await ValidateVillage(errors, body.VillageCode, regions);
        // The phone in the body must be the one the caller proved with the one-time code.
        if (!PhoneNumber.TryParse(body.Phone, out var phone, out var phoneError)) errors.Add("phone", phoneError);
        else if (keys.ForPhone(phone.Value) != caller.PhoneKey) errors.Add("phone", "is not the phone you signed in with");
        if (errors.Any) return Refusals.Fields(errors);

        // The same person asking again (same ID number and phone) completes a registration a failure left half-done.
        var registered = await grains.GetGrain<IRegistrationGrain>(0).RegisterAsync(new NewResident(id!.Value, name!, phone, village!,
            HouseholdIds.New(), IsHead: true, Actor.Self(keys.ForIdNumber(id.Value.Value)), AnyHousehold: true));
        if (registered.Household is null)
            return registered.Refusal == RegistrationRefusal.ClaimedByHousehold
                ? ClaimedByHousehold("Your ID number was added to another household by its head, and the village confirmed it. If that is not your "
                    + "household, ask your village committee (村委会) to review the claim: once they reverse it, register here again.")
                : Refusals.Conflict("A resident with this ID number is already registered; sign in with the phone registered for it. If you did not "
                    + "register it, ask your village committee (村委会).",
                    "registration.already-registered");

        var issued = AuthEndpoints.IssueResidentToken(tokens, auth.Value, caller.PhoneKey!, registered.ResidentKey, ActiveStaffCheck.TokenGenerationOf(http.User));
        AuthEndpoints.SetCookie(http, issued);
        var profile = (await grains.GetGrain<IResidentGrain>(registered.ResidentKey).GetProfileAsync())!;
        return Results.Created("/api/residents/me", new RegisterResidentResponse(issued.Token, issued.ExpiresAt, profile));
    }

    private static Task<IResult> Overview(ClaimsPrincipal user, IGrainFactory grains, VillageContacts contacts) => WithResident(user, async key =>
    {
        var overview = await grains.GetGrain<IResidentGrain>(key).GetOverviewAsync();
        return overview is null ? Refusals.NotFound("No resident record for this sign-in.")
            : Results.Ok(overview with { Code = await contacts.AddToAsync(overview.Code) });
    });

    // Every code view a resident reads carries the village's duty phone (issue 17: who to call about a red or yellow code).
    private static async Task<IResult> GetCode(IGrainFactory grains, VillageContacts contacts, string key) =>
        Results.Ok(await contacts.AddToAsync(await grains.GetGrain<IResidentGrain>(key).GetCodeAsync()));

    private static Task<IResult> Qr(ClaimsPrincipal user, IGrainFactory grains, HealthCodeQr qr) =>
        WithResident(user, key => QrFor(grains, qr, key));

    /// <summary>An ID number claimed by a household (docs/security.md, household claims): the person is told where to go.</summary>
    internal const string ClaimedByHouseholdCode = "registration.claimed-by-household";

    private static IResult ClaimedByHousehold(string detail) =>
        Refusals.Conflict(detail, ClaimedByHouseholdCode, "Registered as a member of another household");

    private static async Task<IResult> QrFor(IGrainFactory grains, HealthCodeQr qr, string key)
    {
        var code = await grains.GetGrain<IResidentGrain>(key).GetCodeAsync();
        // A member a head added is provisional until the village confirms it: no QR to show at a checkpoint meanwhile.
        if (code.Provisional)
            return Refusals.Unprocessable("Awaiting the village's confirmation", code.Note ?? "This member is provisional.", "code.provisional");
        if (code.Explanation.Colour == CodeColour.None)
            return Refusals.Unprocessable("No health code yet", "Apply for a health code first.", "none.not-applied");
        return Results.Ok(await qr.IssueAsync(key, code.Explanation.Colour, code.Explanation.ReasonCode));
    }

    // ------------------------------------------------------------------ code actions (self or proxy)

    private static async Task<IResult> Apply(IGrainFactory grains, VillageContacts contacts, string key, ApplyRequest body, Actor actor)
    {
        var errors = new FieldErrors();
        ValidateTemperature(errors, body.Temperature);
        if (body.HonestyPledge is null) errors.Add("honestyPledge", "is required");
        if (errors.Any) return Refusals.Fields(errors);
        var result = await grains.GetGrain<IResidentGrain>(key).ApplyAsync(body.Temperature!.Value, body.HonestyPledge!.Value, actor);
        return result.Accepted ? Results.Ok(await contacts.AddToAsync(result.Code)) : Refused("The application was not accepted", result);
    }

    private static async Task<IResult> ClockIn(IGrainFactory grains, VillageContacts contacts, string key, ClockInRequest body, Actor actor, JsonOptions json)
    {
        var errors = new FieldErrors();
        ValidateTemperature(errors, body.Temperature);
        var symptoms = ValidateSymptoms(errors, body.Symptoms);
        if (errors.Any) return Refusals.Fields(errors);
        var result = await grains.GetGrain<IResidentGrain>(key).ClockInAsync(body.Temperature!.Value, symptoms, actor);
        return result.Accepted
            ? Results.Ok(ClockInAnswer.From(result with { Code = await contacts.AddToAsync(result.Code) }, json.SerializerOptions))
            : Refused("The clock-in was not accepted", result);
    }

    private static IResult Refused(string title, CodeActionResult result) =>
        Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: title, detail: string.Join("; ", result.Refusal),
            extensions: new Dictionary<string, object?> { ["reasons"] = result.Refusal, ["code"] = result.Code });

    private static Task<IResult> SelfReport(SelfReportRequest body, ClaimsPrincipal user, IGrainFactory grains) => WithResident(user, async key =>
    {
        var errors = new FieldErrors();
        if (body.Temperature is not null) ValidateTemperature(errors, body.Temperature);
        var symptoms = ValidateSymptoms(errors, body.Symptoms);
        if (body.RecentTravel is { Length: > 500 }) errors.Add("recentTravel", "must be at most 500 characters");
        if (errors.Any) return Refusals.Fields(errors);
        return Results.Ok(await grains.GetGrain<IResidentGrain>(key).UpdateSelfReportAsync(body.Temperature, symptoms, body.RecentTravel?.Trim()));
    });

    private static Task<IResult> AddNeed(NeedRequest body, ClaimsPrincipal user, IGrainFactory grains) => WithResident(user, async key =>
    {
        var errors = new FieldErrors();
        if (!Enum.TryParse<NeedKind>(body.Kind, ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
            errors.Add("kind", "must be one of: Medicine, Food, Other");
        errors.Require("detail", body.Detail, 500);
        if (errors.Any) return Refusals.Fields(errors);
        var need = await grains.GetGrain<IResidentGrain>(key).AddNeedAsync(kind, body.Detail!.Trim(), Actor.Self(key));
        return Results.Created($"/api/residents/me/needs/{need.Id}", need);
    });

    // ------------------------------------------------------------------ household

    private static Task<IResult> MyHousehold(ClaimsPrincipal user, IGrainFactory grains) => WithResident(user, async key =>
    {
        var profile = await grains.GetGrain<IResidentGrain>(key).GetProfileAsync();
        if (profile is null) return Refusals.NotFound("No resident record for this sign-in.");
        var household = await grains.GetGrain<IHouseholdGrain>(profile.HouseholdId).GetAsync();
        return household is null ? Refusals.NotFound("No household.") : Results.Ok(household);
    });

    private static Task<IResult> AddMember(AddMemberRequest body, ClaimsPrincipal user, IGrainFactory grains,
        DomainCalendar calendar) => WithResident(user, async key =>
    {
        var head = await grains.GetGrain<IResidentGrain>(key).GetProfileAsync();
        if (head is null) return Refusals.NotFound("No resident record for this sign-in.");
        var household = await grains.GetGrain<IHouseholdGrain>(head.HouseholdId).GetAsync();
        if (household?.HeadResidentKey != key) return Refusals.Forbidden("Only the household head adds members.");

        var errors = new FieldErrors();
        var name = ValidateName(errors, body.Name);
        var id = ValidateIdNumber(errors, body.IdNumber, calendar);
        PhoneNumber? phone = null;
        if (!string.IsNullOrWhiteSpace(body.Phone))
        {
            if (PhoneNumber.TryParse(body.Phone, out var parsed, out var phoneError)) phone = parsed; else errors.Add("phone", phoneError);
        }
        if (errors.Any) return Refusals.Fields(errors);

        // The head typed the member's phone; it signs in as the member only once its owner proves it (IRegistrationGrain).
        var registered = await grains.GetGrain<IRegistrationGrain>(0).RegisterAsync(new NewResident(id!.Value, name!, phone, head.VillageCode,
            head.HouseholdId, IsHead: false, Actor.Proxy(key), LinkPhone: false));
        if (registered.Household is null)
            return registered.Refusal == RegistrationRefusal.ClaimedByHousehold
                ? ClaimedByHousehold("This ID number is already claimed as a member of another household; its village decides whose it is.")
                : Refusals.Conflict("A resident with this ID number is already registered.", "registration.already-registered");
        var member = registered.Household!.Members.Single(m => m.ResidentKey == registered.ResidentKey);
        return Results.Created($"/api/households/mine/members/{registered.ResidentKey}", member);
    });

    /// <summary>The caller must be the head of the member's household, and the member must have no phone of their own.</summary>
    internal static Task<IResult> AsHead(ClaimsPrincipal user, IGrainFactory grains, string memberKey, Func<string, HouseholdMember, Task<IResult>> action) =>
        WithResident(user, async headKey =>
        {
            var head = await grains.GetGrain<IResidentGrain>(headKey).GetProfileAsync();
            if (head is null) return Refusals.NotFound("No resident record for this sign-in.");
            var household = await grains.GetGrain<IHouseholdGrain>(head.HouseholdId).GetAsync();
            if (household?.HeadResidentKey != headKey) return Refusals.Forbidden("Only the household head acts for members.");
            var member = household.Members.FirstOrDefault(m => m.ResidentKey == memberKey);
            if (member is null) return Refusals.Forbidden("This person is not a member of your household.");
            if (member.HasPhone && member.ResidentKey != headKey)
                return Refusals.Forbidden("This member has a phone and signs in for themselves.");
            return await action(headKey, member);
        });

    // ------------------------------------------------------------------ helpers

    /// <summary>The stable code of "signed in, but no resident record yet": the portal shows registration on it.</summary>
    public const string NotRegisteredCode = "resident.not-registered";

    internal static async Task<IResult> WithResident(ClaimsPrincipal user, Func<string, Task<IResult>> action)
    {
        var key = Caller.From(user).ResidentKey;
        return key is null
            ? Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not registered yet",
                detail: "Register first (POST /api/residents/me) with your name, ID number and village.",
                extensions: new Dictionary<string, object?> { ["code"] = NotRegisteredCode })
            : await action(key);
    }

    internal static string? ValidateName(FieldErrors errors, string? name)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed)) errors.Add("name", "is required");
        else if (trimmed.Length > 50) errors.Add("name", "must be at most 50 characters");
        else if (trimmed.Any(char.IsControl)) errors.Add("name", "must not contain control characters");
        else return trimmed;
        return null;
    }

    internal static ResidentIdNumber? ValidateIdNumber(FieldErrors errors, string? value, DomainCalendar calendar)
    {
        var today = calendar.Today;
        if (ResidentIdNumber.TryParse(value, today, out var id, out var error)) return id;
        errors.Add("idNumber", error ?? "is not a valid ID number");
        return null;
    }

    internal static async Task<string?> ValidateVillage(FieldErrors errors, string? code, RegionCatalog regions)
    {
        if (!RegionCode.TryParse(code, out var region, out var error)) { errors.Add("villageCode", error); return null; }
        if (region.Level != RegionLevel.Village) { errors.Add("villageCode", "must be a 12-digit village or community code"); return null; }
        if (await regions.FindAsync(region.Value) is null) { errors.Add("villageCode", $"unknown region {region.Value}"); return null; }
        return region.Value;
    }

    private static void ValidateTemperature(FieldErrors errors, decimal? temperature)
    {
        if (temperature is null) errors.Add("temperature", "is required (°C)");
        else if (temperature < HealthCodeRules.MinPlausibleTemperature || temperature > HealthCodeRules.MaxPlausibleTemperature)
            errors.Add("temperature", $"must be a body temperature between {HealthCodeRules.MinPlausibleTemperature} and {HealthCodeRules.MaxPlausibleTemperature} °C");
    }

    private static IReadOnlyList<string> ValidateSymptoms(FieldErrors errors, IReadOnlyList<string>? symptoms)
    {
        if (symptoms is null) return [];
        var unknown = symptoms.Where(s => !Symptoms.IsKnown(s)).ToList();
        if (unknown.Count > 0) errors.Add("symptoms", $"unknown symptom(s) {string.Join(", ", unknown)}; known: {string.Join(", ", Symptoms.Names)}");
        return symptoms.Distinct().ToList();
    }
}
