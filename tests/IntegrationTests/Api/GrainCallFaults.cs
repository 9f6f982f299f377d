using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// Test-only fault injection into the real API: a request with <see cref="RejectOnceHeader"/> "IStaffAccountGrain.GetAsync"
/// has the first call of that grain method (in this request, across a retry) rejected as the cluster rejects calls during a
/// rolling restart; every grain call the endpoint makes through its IGrainFactory is recorded under <see cref="TraceHeader"/>.
/// Requests without the headers are untouched.
/// </summary>
public sealed class GrainCallFaults
{
    public const string RejectOnceHeader = "X-Test-Reject-Once";
    public const string TraceHeader = "X-Test-Trace";

    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _traces = new(StringComparer.Ordinal);

    /// <summary>The grain calls ("IGrain.Method") the traced request made, in order, over all its runs.</summary>
    public IReadOnlyList<string> Calls(string trace) => _traces.TryGetValue(trace, out var calls) ? calls.ToList() : [];

    internal sealed class StartupFilter(GrainCallFaults faults) : IStartupFilter
    {
        // Outermost, so the request's faults and its trace span the retry middleware's second run.
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (http, nextMiddleware) =>
            {
                var trace = http.Request.Headers[TraceHeader].ToString();
                if (trace.Length > 0)
                {
                    var request = new RequestFaults(http.Request.Headers[RejectOnceHeader].ToString(), faults._traces.GetOrAdd(trace, _ => new()));
                    http.RequestServices = new FaultyServices(http.RequestServices, request);
                }
                await nextMiddleware(http);
            });
            next(app);
        };
    }

    internal sealed class RequestFaults(string rejectOnce, ConcurrentQueue<string> calls)
    {
        private int _rejected;

        /// <summary>Records the call; true if it is the one to reject.</summary>
        public bool Call(string name)
        {
            calls.Enqueue(name);
            return name == rejectOnce && Interlocked.Exchange(ref _rejected, 1) == 0;
        }
    }

    /// <summary>The request's services, with an IGrainFactory whose grains answer through <see cref="RejectingGrain"/>.</summary>
    private sealed class FaultyServices(IServiceProvider inner, RequestFaults faults) : IServiceProvider, IKeyedServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(IGrainFactory)
            ? new FaultyGrainFactory((IGrainFactory)inner.GetService(serviceType)!, faults)
            : inner.GetService(serviceType);

        public object? GetKeyedService(Type serviceType, object? serviceKey) => ((IKeyedServiceProvider)inner).GetKeyedService(serviceType, serviceKey);
        public object GetRequiredKeyedService(Type serviceType, object? serviceKey) => ((IKeyedServiceProvider)inner).GetRequiredKeyedService(serviceType, serviceKey);
    }

    private sealed class FaultyGrainFactory(IGrainFactory inner, RequestFaults faults) : IGrainFactory
    {
        private T Wrap<T>(T grain) where T : IAddressable
        {
            var proxy = DispatchProxy.Create<T, RejectingGrain>();
            ((RejectingGrain)(object)proxy).Attach(grain, faults);
            return proxy;
        }

        public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidKey =>
            Wrap(inner.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix));
        public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerKey =>
            Wrap(inner.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix));
        public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithStringKey =>
            Wrap(inner.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix));
        public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidCompoundKey =>
            Wrap(inner.GetGrain<TGrainInterface>(primaryKey, keyExtension, grainClassNamePrefix));
        public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerCompoundKey =>
            Wrap(inner.GetGrain<TGrainInterface>(primaryKey, keyExtension, grainClassNamePrefix));

        // The endpoints use only the typed calls above; the rest pass through unobserved.
        public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver =>
            inner.CreateObjectReference<TGrainObserverInterface>(obj);
        public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver =>
            inner.DeleteObjectReference<TGrainObserverInterface>(obj);
        public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => inner.GetGrain(grainInterfaceType, grainPrimaryKey);
        public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => inner.GetGrain(grainInterfaceType, grainPrimaryKey);
        public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => inner.GetGrain(grainInterfaceType, grainPrimaryKey);
        public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => inner.GetGrain(grainInterfaceType, grainPrimaryKey, keyExtension);
        public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => inner.GetGrain(grainInterfaceType, grainPrimaryKey, keyExtension);
        public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable => inner.GetGrain<TGrainInterface>(grainId);
        public IAddressable GetGrain(GrainId grainId) => inner.GetGrain(grainId);
        public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => inner.GetGrain(grainId, interfaceType);
        public IAddressable GetGrain(Type interfaceType, IdSpan grainKey, string grainClassNamePrefix) => inner.GetGrain(interfaceType, grainKey, grainClassNamePrefix);
        public IAddressable GetGrain(Type interfaceType, IdSpan grainKey) => inner.GetGrain(interfaceType, grainKey);
    }

    /// <summary>Stands in for a grain reference: records each call and fails the chosen one as a rejection, as Orleans would.</summary>
    public class RejectingGrain : DispatchProxy
    {
        private object _grain = null!;
        private RequestFaults _faults = null!;

        internal void Attach(object grain, RequestFaults faults) => (_grain, _faults) = (grain, faults);

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            var name = $"{method!.DeclaringType!.Name}.{method.Name}";
            if (_faults.Call(name)) return Failed(method.ReturnType, NewRejection($"Test: {name} rejected, as during a rolling restart."));
            try
            {
                return method.Invoke(_grain, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }

        private static object Failed(Type returnType, Exception exception)
        {
            if (returnType == typeof(Task)) return Task.FromException(exception);
            if (returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>))
                return typeof(Task).GetMethods().Single(m => m.Name == nameof(Task.FromException) && m.IsGenericMethodDefinition)
                    .MakeGenericMethod(returnType.GetGenericArguments()[0]).Invoke(null, [exception])!;
            throw new NotSupportedException($"Cannot fail a grain method returning {returnType}.");
        }
    }

    /// <summary>Orleans keeps the constructor internal: only the runtime rejects calls.</summary>
    public static OrleansMessageRejectionException NewRejection(string message) =>
        (OrleansMessageRejectionException)Activator.CreateInstance(typeof(OrleansMessageRejectionException),
            BindingFlags.Instance | BindingFlags.NonPublic, binder: null, args: [message], culture: null)!;
}
