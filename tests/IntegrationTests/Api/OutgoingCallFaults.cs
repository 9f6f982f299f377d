using System.Collections.Concurrent;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// Test-only: an outgoing grain-call filter in the co-hosted silo that fails the next call of one grain method
/// ("ITripGrain.AddTravellerAsync"), as a silo dying with the call in flight would, wherever the call comes from
/// (another grain or the API). Every other call passes untouched.
/// </summary>
public sealed class OutgoingCallFaults : IOutgoingGrainCallFilter
{
    private readonly ConcurrentDictionary<string, bool> _failNext = new(StringComparer.Ordinal);

    public void FailNext(string interfaceAndMethod) => _failNext[interfaceAndMethod] = true;

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        var name = $"{context.InterfaceMethod?.DeclaringType?.Name}.{context.InterfaceMethod?.Name}";
        return _failNext.TryRemove(name, out _)
            ? throw new TimeoutException($"injected: {name} did not answer")
            : context.Invoke();
    }
}
