using Sanmenxia.Api.Endpoints;
using Sanmenxia.Api.Hosting;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Security;
using Sanmenxia.Api.Tickets;
using Sanmenxia.Platform.Hosting;
using Sanmenxia.Persistence.Hosting;
using Sanmenxia.Platform.Options;

var builder = WebApplication.CreateBuilder(args);
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

var app = builder.Build();
app.UseSanmenxiaSecurityHeaders();
app.UseSanmenxiaForwardedHeaders();
app.UseSanmenxiaProblems();
app.UseUnsafeTextRefusal();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseActiveStaffOnly();
app.UseAuthorization();
app.UseRateLimiter();
app.UseSanmenxiaRequestSizeLimits();
app.UseSanmenxiaRequestStamps();

app.MapSanmenxiaHealth();
app.MapSanmenxiaOperations();
app.MapAuthEndpoints();
app.MapAdminEndpoints();
app.MapTimeEndpoints();
app.MapRegionEndpoints();
app.MapResidentEndpoints();
app.MapVillageEndpoints();
app.MapHouseholdClaimEndpoints();
app.MapCodeEndpoints();
app.MapImportEndpoints();
app.MapKeyPersonEndpoints();
app.MapKeyPersonRegisterEndpoints();
app.MapCheckpointEndpoints();
app.MapTripEndpoints();
app.MapTicketEndpoints();
app.MapTicketSimilarEndpoints();
app.MapSanmenxiaDashboard();

app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
