using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.AspNetCore.Mvc;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Residents;
using Sanmenxia.Api.Security;
using Sanmenxia.Identity;
using Sanmenxia.Regions;
using Sanmenxia.Residents;

namespace Sanmenxia.Api.Endpoints;

public sealed record ResidentImportReport(int Rows, int Imported, int AlreadyRegistered, IReadOnlyList<ImportLineError> Errors);

/// <summary>Bulk onboarding of residents and households from CSV, validated row by row.</summary>
public static class ImportEndpoints
{
    public static IEndpointRouteBuilder MapImportEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/admin/residents/import", ImportResidents).WithTags("Residents")
            .RequireAuthorization(Policies.Village)
            .Accepts<string>("text/csv")
            .WithMetadata(new RequestSizeLimitAttribute(64L * 1024 * 1024))
            // Idempotent, but a re-run would report the rows the first run imported as "already registered".
            .WithoutRejectionRetry();
        return app;
    }

    /// <summary>
    /// Columns: household,name,id_number,phone,village_code,head. "household" is the file's own reference
    /// for a household (rows with the same reference and village form one household); phone is optional;
    /// head is true for the household head. Bad rows are reported with line and reason; good rows are kept.
    /// Re-importing the same file registers nobody twice. Staff may import only within their jurisdiction.
    /// </summary>
    private static async Task<IResult> ImportResidents(HttpRequest request, ResidentRegistrar registrar, RegionCatalog regions,
        [FromKeyedServices(Sanmenxia.Grains.Time.DomainClock.Key)] TimeProvider clock, System.Security.Claims.ClaimsPrincipal user, AuditTrail audit, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var errors = new List<ImportLineError>();
        var rows = new List<(int Line, string Household, string Name, ResidentIdNumber Id, PhoneNumber? Phone, string Village, bool Head)>();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var seenIds = new HashSet<string>(StringComparer.Ordinal);

        using (var reader = new StreamReader(request.Body))
        using (var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { MissingFieldFound = null, BadDataFound = null }))
        {
            if (!await csv.ReadAsync() || !csv.ReadHeader())
                return Problems.Refusals.Field("file", "is empty: expected a header household,name,id_number,phone,village_code,head");
            var missing = new[] { "household", "name", "id_number", "village_code" }.Where(h => !csv.HeaderRecord!.Contains(h)).ToList();
            if (missing.Count > 0) return Problems.Refusals.Field("file", $"header lacks column(s): {string.Join(", ", missing)}");

            while (await csv.ReadAsync())
            {
                var line = csv.Parser.RawRow;
                var household = csv.GetField("household")?.Trim() ?? "";
                var name = csv.GetField("name")?.Trim() ?? "";
                if (household.Length is 0 or > 64) { errors.Add(new(line, "household", "is required (at most 64 characters)")); continue; }
                if (name.Length is 0 or > 50) { errors.Add(new(line, "name", "is required (at most 50 characters)")); continue; }
                if (!ResidentIdNumber.TryParse(csv.GetField("id_number"), today, out var id, out var idError)) { errors.Add(new(line, "id_number", idError!)); continue; }
                if (!seenIds.Add(id.Value)) { errors.Add(new(line, "id_number", "appears twice in this file")); continue; }
                PhoneNumber? phone = null;
                var phoneText = csv.GetField("phone");
                if (!string.IsNullOrWhiteSpace(phoneText))
                {
                    if (PhoneNumber.TryParse(phoneText, out var p, out var phoneError)) phone = p; else { errors.Add(new(line, "phone", phoneError)); continue; }
                }
                var villageText = csv.GetField("village_code");
                if (!RegionCode.TryParse(villageText, out var village, out var villageError)) { errors.Add(new(line, "village_code", villageError)); continue; }
                if (village.Level != RegionLevel.Village || await regions.FindAsync(village.Value) is null) { errors.Add(new(line, "village_code", $"unknown village {village.Value}")); continue; }
                if (!caller.Covers(village)) { errors.Add(new(line, "village_code", $"village {village.Value} is outside your jurisdiction")); continue; }
                var headText = csv.GetField("head")?.Trim().ToLowerInvariant();
                rows.Add((line, household, name, id, phone, village.Value, headText is "true" or "1" or "yes" or "y" or "户主"));
            }
        }

        // Audited before it is done: an audit that fails means nobody was registered.
        await audit.RecordAsync(user, "residents.import", null, caller.Jurisdiction?.Value, $"rows={rows.Count + errors.Count}; valid={rows.Count}");
        var imported = 0;
        var already = 0;
        var actor = Actor.Staff(caller.Subject, caller.Role);
        // One household at a time per worker: its members register in parallel and the household is written once.
        var households = rows.GroupBy(r => (r.Village, r.Household)).ToList();
        await Parallel.ForEachAsync(households, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (household, _) =>
        {
            var members = household.ToList();
            var results = await registrar.RegisterHouseholdAsync(members.Select(r => new NewHouseholdMember(r.Id, r.Name, r.Phone, r.Head)).ToList(),
                household.Key.Village, ResidentRegistrar.ImportedHouseholdId(household.Key.Village, household.Key.Household), actor);
            for (var i = 0; i < members.Count; i++)
            {
                switch (results[i])
                {
                    case { Outcome: RegistrationOutcome.Created }: Interlocked.Increment(ref imported); break;
                    // The same row imported again (same phone and household): idempotent.
                    case { Outcome: RegistrationOutcome.AlreadyRegistered, Household: not null }: Interlocked.Increment(ref already); break;
                    default: lock (errors) errors.Add(new(members[i].Line, "id_number", "registered before with different data")); break;
                }
            }
        });
        return Results.Ok(new ResidentImportReport(rows.Count + errors.Count, imported, already, errors.OrderBy(e => e.Line).ToList()));
    }
}
