using Sanmenxia.Api.Endpoints;
using Sanmenxia.Api.Hosting;
using Sanmenxia.Api.Open311;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Security;
using Sanmenxia.Api.Tickets;
using Sanmenxia.Platform.Hosting;
using Sanmenxia.Persistence.Hosting;
using Sanmenxia.Platform.Options;

var builder = WebApplication.CreateBuilder(args);
// A placeholder or short token-signing key or pseudonym secret: refuse to start, with one clear line per key.
if (StartupSecrets.Problems(builder.Configuration, StartupSecrets.ApiKeys) is { Count: > 0 } refused)
{
    using var loggers = LoggerFactory.Create(l => l.AddConsole());
    var log = loggers.CreateLogger("Sanmenxia.Api");
    foreach (var problem in refused) log.LogCritical("Refusing to start: {Problem}", problem);
    throw new InvalidOperationException("Refusing to start: " + string.Join(" ", refused));
}
builder.AddSanmenxiaStaticFiles();
builder.AddSanmenxiaOrleans();
builder.Services.AddSanmenxiaPlatform(builder.Configuration);
if (SanmenxiaClusterOptions.From(builder.Configuration).Providers == ProviderMode.Postgres)
    builder.Services.AddSanmenxiaPostgresStores(builder.Configuration);
builder.Services.AddSanmenxiaProblems();
builder.Services.AddSanmenxiaRequestStamps(builder.Configuration);
builder.Services.AddSanmenxiaAuth(builder.Configuration);
builder.Services.AddSanmenxiaHealth(builder.Configuration);
builder.Services.AddSanmenxiaApi(builder.Configuration);
builder.Services.AddTripRateLimiting(builder.Configuration);
builder.Services.AddTicketApi(builder.Configuration);
builder.Services.AddSanmenxiaDashboard(builder.Configuration);
// Last: every logger provider added so far goes behind the flood guard (a burst of one error is counted, not written).
builder.Services.AddLogFloodGuard();

var app = builder.Build();
app.UseSanmenxiaSecurityHeaders();
app.UseOpen311Errors();
app.UseSanmenxiaForwardedHeaders();
app.UseSanmenxiaProblems();
app.UseDefaultFiles();
app.UseRouting();
// After routing: the control-character rule reads the route values the chosen endpoint binds.
app.UseUnsafeTextRefusal();
app.UseAuthentication();
app.UseActiveStaffOnly();
app.UseAuthorization();
app.UseRateLimiter();
app.UseSanmenxiaRequestSizeLimits();
app.UseSanmenxiaRequestStamps();

app.MapSanmenxiaStaticFiles();
app.MapSanmenxiaHealth();
app.MapSanmenxiaOperations();
app.MapAuthEndpoints();
app.MapAdminEndpoints();
app.MapAuditEndpoints();
app.MapBreakGlassEndpoints();
app.MapTimeEndpoints();
app.MapRegionEndpoints();
app.MapResidentEndpoints();
app.MapVillageEndpoints();
app.MapVillageContactEndpoints();
app.MapHouseholdClaimEndpoints();
app.MapCodeEndpoints();
app.MapCodeKeyEndpoints();
app.MapImportEndpoints();
app.MapKeyPersonEndpoints();
app.MapKeyPersonRegisterEndpoints();
app.MapCheckpointEndpoints();
app.MapTripEndpoints();
app.MapTicketEndpoints();
app.MapTicketSimilarEndpoints();
app.MapOpen311Endpoints();
app.MapAppealEndpoints();
app.MapRetentionEndpoints();
app.MapResidentDataEndpoints();
app.MapInteropExportEndpoints();
app.MapSanmenxiaDashboard();

app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
