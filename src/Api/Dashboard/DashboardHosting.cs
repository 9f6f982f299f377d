using Sanmenxia.Api.Dashboard;
using Sanmenxia.Api.Security;

namespace Sanmenxia.Api.Hosting;

/// <summary>Wires the command dashboard's push path (src/Api/Dashboard) into the API host.</summary>
public static class DashboardSetup
{
    /// <summary>SignalR, the dashboard hub's observer and its registration with the cluster.</summary>
    public static IServiceCollection AddSanmenxiaDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<DashboardOptions>(configuration.GetSection(DashboardOptions.Section));
        services.AddSignalR();
        services.AddSingleton<DashboardObserver>();
        services.AddSingleton<DashboardRegistration>();
        services.AddHostedService(sp => sp.GetRequiredService<DashboardRegistration>());
        return services;
    }

    public static IEndpointRouteBuilder MapSanmenxiaDashboard(this IEndpointRouteBuilder app)
    {
        app.MapHub<DashboardHub>(DashboardHub.Path).RequireAuthorization(Policies.AnyStaff);
        return app;
    }
}
