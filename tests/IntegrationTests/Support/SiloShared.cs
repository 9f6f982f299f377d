using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Sanmenxia.IntegrationTests.Support;

/// <summary>
/// Hands what a test shares with its in-process silos (fake clocks, fault switches, shared stores, log recorders) to the
/// silos' configurators. TestClusterBuilder creates an <see cref="ISiloConfigurator"/> by its type, so it cannot be
/// given an object: the test registers its object under a fresh id carried in the builder's properties, and each silo's
/// configurator looks it up by the id in its configuration. One registry per shared type; tests running at once stay apart.
/// </summary>
public static class SiloShared<T> where T : class
{
    private static readonly ConcurrentDictionary<string, T> Registered = new(StringComparer.Ordinal);
    private static readonly string Key = "SiloShared:" + typeof(T).FullName;

    /// <summary>Registers <paramref name="shared"/> for the silos <paramref name="builder"/> will start; returns the id to <see cref="Forget"/>.</summary>
    public static string Register(TestClusterBuilder builder, T shared)
    {
        var id = Guid.NewGuid().ToString("N");
        Registered[id] = shared;
        builder.Properties[Key] = id;
        return id;
    }

    /// <summary>The object registered for the silo whose configuration this is.</summary>
    public static T For(IConfiguration siloConfiguration) =>
        siloConfiguration[Key] is { } id && Registered.TryGetValue(id, out var shared)
            ? shared
            : throw new InvalidOperationException($"No {typeof(T).Name} was registered for this silo (SiloShared<{typeof(T).Name}>.Register before Build).");

    /// <summary>Drops the registration once the cluster is disposed.</summary>
    public static void Forget(string? id)
    {
        if (id is not null) Registered.TryRemove(id, out _);
    }
}
