namespace Sanmenxia.Api.Checkpoints;

public static class CheckpointSetup
{
    /// <summary>Platform 5 in the API process. Pass retention is the daily retention job's (RetentionGrain, docs/data-governance.md).</summary>
    public static IServiceCollection AddSanmenxiaCheckpointApi(this IServiceCollection services, IConfiguration configuration) => services;
}
