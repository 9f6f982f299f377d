using System.Collections.Concurrent;
using Orleans.Serialization;
using Orleans.Storage;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// Test-only grain storage that every in-process silo of one test cluster shares, so a silo's death loses no grain
/// state (Orleans' memory storage keeps state in grains, which die with their silo). Stores deep copies; no ETag checks.
/// </summary>
public sealed class SharedGrainStorage(SharedGrainStorage.Store store, DeepCopier copier) : IGrainStorage
{
    /// <summary>The states, shared by the silos' storage instances.</summary>
    public sealed class Store
    {
        internal ConcurrentDictionary<(string State, GrainId Grain), (object? Value, string ETag)> States { get; } = new();
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (store.States.TryGetValue((stateName, grainId), out var stored) && stored.Value is T value)
        {
            grainState.State = copier.Copy(value);
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var etag = Guid.NewGuid().ToString("N");
        store.States[(stateName, grainId)] = (copier.Copy(grainState.State), etag);
        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        store.States.TryRemove((stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }
}
