using Sanmenxia.Platform.Time;
using Microsoft.AspNetCore.Mvc;
using Sanmenxia.Api.Csv;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Residents;
using Sanmenxia.Api.Security;
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
    private static async Task<IResult> ImportResidents(HttpRequest request, IGrainFactory grains, RegionCatalog regions,
        DomainCalendar calendar, System.Security.Claims.ClaimsPrincipal user, AuditTrail audit, CancellationToken ct)
    {
        var caller = Caller.From(user);
        using var csv = await CsvImport.OpenAsync(request, ResidentCsv.Columns);
        if (csv.Refusal is { } refusal) return refusal;
        var mapping = new ResidentCsv(regions, caller, calendar.Today);
        var rows = new List<ImportedResident>();
        await foreach (var line in csv.RowsAsync())
            if (await mapping.MapAsync(line, csv) is { } row) rows.Add(row);

        // Audited before it is done: an audit that fails means nobody was registered.
        await audit.RecordAsync(user, "residents.import", null, caller.Jurisdiction?.Value, $"rows={rows.Count + csv.Errors.Count}; valid={rows.Count}");
        var imported = 0;
        var already = 0;
        var actor = Actor.Staff(caller.Subject, caller.Role);
        // One household at a time per worker: its members register in parallel and the household is written once.
        var households = rows.GroupBy(r => (r.Village, r.Household)).ToList();
        await Parallel.ForEachAsync(households, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (household, _) =>
        {
            var members = household.ToList();
            var results = await grains.GetGrain<IRegistrationGrain>(0).RegisterHouseholdAsync(household.Key.Village,
                HouseholdIds.Imported(household.Key.Village, household.Key.Household),
                members.Select(r => new NewHouseholdMember(r.Id, r.Name, r.Phone, r.Head)).ToList(), actor);
            for (var i = 0; i < members.Count; i++)
            {
                switch (results[i])
                {
                    case { Outcome: RegistrationOutcome.Created }: Interlocked.Increment(ref imported); break;
                    // The same row imported again (same phone and household): idempotent.
                    case { Outcome: RegistrationOutcome.AlreadyRegistered, Household: not null }: Interlocked.Increment(ref already); break;
                    case { Refusal: RegistrationRefusal.ClaimedByHousehold }:
                        csv.Fail(members[i].Line, "id_number", "is a member of another household whose village confirmed it: review it in that village's household claims first");
                        break;
                    default: csv.Fail(members[i].Line, "id_number", "registered before with different data"); break;
                }
            }
        });
        // Rows counts the good rows and every error, a registration refusal included (as this report always has).
        var reported = rows.Count + csv.Errors.Count;
        return Results.Ok(new ResidentImportReport(reported, imported, already, csv.ErrorsByLine()));
    }
}
