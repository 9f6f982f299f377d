using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sanmenxia.Platform.Hosting;

/// <summary>
/// Keeps a burst of one repeated warning or error from drowning the process: each (category, event id) may write
/// <see cref="PerMinute"/> entries a minute at Warning and above; the rest are counted and said in one line when the
/// minute is over ("suppressed N more like it"). Seen in the city run (issue 20): a day-close sweep the silo could not
/// keep up with made Orleans log every undelivered reminder tick with its stack trace, 1.4 GB in six minutes, and the
/// logging itself took the CPU the silo needed to catch up. Information and below are not limited (they are periodic
/// summaries, not floods).
/// </summary>
public sealed class LogFloodGuard : IDisposable
{
    public const int PerMinute = 20;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string Category, int EventId), Counter> _counters = new();
    /// <summary>The unguarded logger of each kind, to say a suppressed burst with.</summary>
    private readonly ConcurrentDictionary<(string Category, int EventId), ILogger> _speakers = new();
    private readonly TimeProvider _clock;
    private readonly ITimer _flush;

    public LogFloodGuard(TimeProvider clock)
    {
        _clock = clock;
        _flush = clock.CreateTimer(_ => Flush(), null, Window, Window);
    }

    /// <summary>True if this entry may be written; false if it is one too many of its kind this minute (it is counted).</summary>
    public bool Admit(string category, EventId eventId, ILogger speaker)
    {
        var key = (category, eventId.Id);
        var now = _clock.GetUtcNow();
        var counter = _counters.GetOrAdd(key, _ => new Counter(now));
        _speakers.TryAdd(key, speaker);
        lock (counter)
        {
            if (now - counter.WindowStart >= Window) Roll(key, counter, now);
            if (counter.Written < PerMinute) { counter.Written++; return true; }
            counter.Suppressed++;
            return false;
        }
    }

    /// <summary>Says every burst whose minute is over (the timer calls this; so does a later entry of the same kind).</summary>
    public void Flush()
    {
        var now = _clock.GetUtcNow();
        foreach (var (key, counter) in _counters)
            lock (counter)
                if (now - counter.WindowStart >= Window) Roll(key, counter, now);
    }

    private void Roll((string Category, int EventId) key, Counter counter, DateTimeOffset now)
    {
        if (counter.Suppressed > 0 && _speakers.TryGetValue(key, out var speaker))
            speaker.Log(LogLevel.Warning, new EventId(key.EventId), "Log flood: suppressed {Count} more entries like event {EventId} of {Category} in the last minute",
                counter.Suppressed, key.EventId, key.Category);
        counter.WindowStart = now;
        counter.Written = 0;
        counter.Suppressed = 0;
    }

    public void Dispose() => _flush.Dispose();

    private sealed class Counter(DateTimeOffset start)
    {
        public DateTimeOffset WindowStart = start;
        public int Written;
        public long Suppressed;
    }
}

/// <summary>Wraps a logger provider so each of its loggers asks the provider's own guard before writing a warning or an error.</summary>
public sealed class FloodGuardedLoggerProvider(ILoggerProvider inner, TimeProvider clock) : ILoggerProvider
{
    private readonly LogFloodGuard _guard = new(clock);

    public ILogger CreateLogger(string categoryName) => new Guarded(inner.CreateLogger(categoryName), categoryName, _guard);

    public void Dispose()
    {
        _guard.Dispose();
        inner.Dispose();
    }

    private sealed class Guarded(ILogger inner, string category, LogFloodGuard guard) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel < LogLevel.Warning || logLevel == LogLevel.None || guard.Admit(category, eventId, inner))
                inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}

public static class LogFloodGuardExtensions
{
    /// <summary>
    /// Puts every logger provider registered so far (each with a <see cref="LogFloodGuard"/> of its own) behind the
    /// guard. Call it after the host's providers are added (the console's among them), before the host is built.
    /// </summary>
    public static IServiceCollection AddLogFloodGuard(this IServiceCollection services)
    {
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(ILoggerProvider) || descriptor.IsKeyedService) continue;
            services[i] = ServiceDescriptor.Singleton<ILoggerProvider>(sp => new FloodGuardedLoggerProvider(Create(sp, descriptor), TimeProvider.System));
        }
        return services;
    }

    private static ILoggerProvider Create(IServiceProvider sp, ServiceDescriptor descriptor) =>
        (ILoggerProvider)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!));
}
