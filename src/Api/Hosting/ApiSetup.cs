using System.Net;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;
using Scalar.AspNetCore;
using Sanmenxia.Api.Checkpoints;
using Sanmenxia.Api.Security;
using Sanmenxia.Security;
using Sanmenxia.Staff;

namespace Sanmenxia.Api.Hosting;

public static class ApiSetup
{
    public static IServiceCollection AddSanmenxiaApi(this IServiceCollection services, IConfiguration configuration)
    {
        var api = configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
        services.Configure<ApiOptions>(configuration.GetSection(ApiOptions.Section));
        // Kestrel's ceiling is the largest any endpoint accepts; RequestSizeLimits narrows it per endpoint.
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = Math.Max(api.MaxRequestBodyBytes, api.MaxImportBodyBytes));
        services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = api.MaxImportBodyBytes);
        services.AddOpenApi();
        services.AddSanmenxiaMessageSender(configuration);
        services.AddHostedService<BootstrapAdmin>();
        services.AddSingleton<Sanmenxia.Api.Regions.RegionCatalog>();
        services.AddSingleton<Sanmenxia.Api.Regions.VillageContacts>();
        services.Configure<Sanmenxia.Api.Residents.QrOptions>(configuration.GetSection(Sanmenxia.Api.Residents.QrOptions.Section));
        services.AddSingleton<Sanmenxia.Api.Residents.CodeSigningKeyRing>();
        services.AddSingleton<Sanmenxia.Api.Residents.HealthCodeQr>();
        services.AddHttpContextAccessor();
        services.AddSingleton<AuditTrail>();
        services.Configure<BreakGlassOptions>(configuration.GetSection(BreakGlassOptions.Section));
        services.AddSingleton<BreakGlassAccess>();
        services.AddSanmenxiaCheckpointApi(configuration);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
            // Every JSON text field is checked against the control-character rule as it is read (docs/security.md).
            Sanmenxia.Api.Problems.UnsafeText.Apply(o.SerializerOptions);
        });
        services.AddOpenTelemetry().WithMetrics(m => m
            .AddAspNetCoreInstrumentation()
            .AddMeter("Microsoft.Orleans")
            .AddPrometheusExporter());
        return services;
    }

    public static IEndpointRouteBuilder MapSanmenxiaOperations(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        // Offline: Scalar's own script is served by this process (/scalar/), its fonts from a CDN are turned off (the
        // system fonts stand in), and the cloud features are hidden: the AI chat ("Ask AI"), MCP, the developer
        // toolbar ("Deploy") and telemetry. A browser test blocks every non-loopback request and checks none is made.
        app.MapScalarApiReference("/docs", o => o.WithTitle("Sanmenxia.Orleans API")
            .DisableDefaultFonts().DisableAgent().DisableMcp().HideDeveloperTools().DisableTelemetry()).AllowAnonymous();
        // Metrics are for the operators' scraper on this host or the private network, not the public.
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous().AddEndpointFilter(async (ctx, next) =>
        {
            var remote = ctx.HttpContext.Connection.RemoteIpAddress;
            return remote is null || IPAddress.IsLoopback(remote) ? await next(ctx)
                : Results.Problem(statusCode: 403, title: "Metrics are served to loopback only");
        });
        if (Sanmenxia.Platform.Options.SanmenxiaClusterOptions.From(app.Configuration).Dashboard)
            app.MapOrleansDashboard("/ops/orleans").RequireAuthorization(Policies.Admin);
        else
            app.MapGet("/ops/orleans/{**rest}", () => Results.Problem(statusCode: StatusCodes.Status404NotFound,
                    title: "The Orleans dashboard is off",
                    detail: "It costs CPU on every grain call, so it runs only when an operator asks: start the system with SANMENXIA_ORLEANS_DASHBOARD=1 (Orleans:Dashboard=true on every silo and API process)."))
                .RequireAuthorization(Policies.Admin).ExcludeFromDescription();
        return app;
    }
}

/// <summary>Creates the first administrator from configuration, so a new city can sign in at all.</summary>
internal sealed class BootstrapAdmin(IGrainFactory grains, IOptions<AuthOptions> options, ILogger<BootstrapAdmin> logger, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var (username, password) = (options.Value.BootstrapAdminUsername.ToLowerInvariant(), options.Value.BootstrapAdminPassword);
        if (string.IsNullOrEmpty(password)) return;
        // The cluster may still be starting; retry until it answers or the host stops.
        await WaitForStart(stoppingToken);
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var account = grains.GetGrain<IStaffAccountGrain>(username);
                if (await account.GetAsync() is null
                    && await account.CreateAsync(new NewStaffAccount("Administrator 管理员", Roles.Admin, "411200", PasswordHashing.Hash(password))))
                    logger.LogInformation("Created the first administrator account {Username}", username);
                return;
            }
            catch (Exception e) when (attempt < 30)
            {
                logger.LogInformation("Cluster not ready for the admin bootstrap yet ({Error}); retrying", e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private Task WaitForStart(CancellationToken ct)
    {
        var started = new TaskCompletionSource();
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(ct);
    }
}
