using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sanmenxia.Security;

namespace Sanmenxia.Grains;

public static class GrainServiceCollectionExtensions
{
    /// <summary>What grains need from the host: the clock, the policies, the pseudonymous key secret.</summary>
    public static IServiceCollection AddSanmenxiaGrainServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new PseudonymousKeys(configuration["Privacy:KeySecret"]
            ?? throw new InvalidOperationException("Privacy:KeySecret is not set (environment Privacy__KeySecret).")));
        return services;
    }
}
