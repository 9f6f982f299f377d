using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// Test-only: the co-hosted silo's grain storage with a switch that makes the next write of one grain fail, as a
/// lost connection to PostgreSQL would. Grains not named are untouched.
/// </summary>
public sealed class StorageFaults
{
    private readonly ConcurrentDictionary<GrainId, bool> _failNextWrite = new();

    public void FailNextWrite(GrainId grain) => _failNextWrite[grain] = true;

    /// <summary>True until the failure set for <paramref name="grain"/> has happened.</summary>
    public bool WillFail(GrainId grain) => _failNextWrite.ContainsKey(grain);

    /// <summary>Wraps the keyed grain storage <paramref name="name"/> registered so far.</summary>
    public void Decorate(IServiceCollection services, string name)
    {
        var original = services.Last(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, name));
        var create = original.KeyedImplementationFactory ?? throw new InvalidOperationException($"grain storage {name} is not registered by a factory");
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) => new Faulty((IGrainStorage)create(sp, key), this));
    }

    private sealed class Faulty(IGrainStorage inner, StorageFaults faults) : IGrainStorage
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            inner.ReadStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            faults._failNextWrite.TryRemove(grainId, out _)
                ? throw new TimeoutException($"injected: the write of {grainId} did not reach the store")
                : inner.WriteStateAsync(stateName, grainId, grainState);

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
            inner.ClearStateAsync(stateName, grainId, grainState);
    }
}
