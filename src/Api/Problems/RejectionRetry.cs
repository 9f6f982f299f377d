namespace Sanmenxia.Api.Problems;

/// <summary>
/// Endpoint metadata: a rejected grain call must not re-run this endpoint (see ProblemSetup.RetryRejectedAsync).
/// For endpoints whose earlier calls may have changed state before a later call was rejected, and whose second
/// run would then answer differently (409 for what this request created) or count things twice.
/// </summary>
public sealed class NoRejectionRetryMetadata
{
    public static readonly NoRejectionRetryMetadata Instance = new();
    private NoRejectionRetryMetadata() { }
}

public static class RejectionRetryExtensions
{
    /// <summary>A rejected grain call answers 503 + Retry-After at once instead of running the endpoint again.</summary>
    public static TBuilder WithoutRejectionRetry<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(NoRejectionRetryMetadata.Instance);

    public static bool AllowsRejectionRetry(this Endpoint? endpoint) =>
        endpoint?.Metadata.GetMetadata<NoRejectionRetryMetadata>() is null;
}
