using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Sanmenxia.Platform.Hosting;

namespace Sanmenxia.IntegrationTests.Support;

/// <summary>The flood guard in front of every logger provider (LogFloodGuard): bursts are counted and said once a minute.</summary>
public sealed class LogFloodGuardTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2020, 2, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly Recording _written = new();

    [Fact]
    public void A_burst_of_one_error_writes_the_first_entries_of_the_minute_and_then_one_line_saying_how_many_more()
    {
        using var provider = new FloodGuardedLoggerProvider(_written, _clock);
        var log = provider.CreateLogger("Orleans.Runtime.ReminderService.LocalReminderService");
        for (var i = 0; i < 500; i++) log.LogError(new EventId(7), new TimeoutException("late"), "Could not deliver reminder tick {I}", i);
        Assert.Equal(LogFloodGuard.PerMinute, _written.Entries.Count);

        _clock.Advance(TimeSpan.FromMinutes(1)); // the guard's timer says the suppressed rest
        var summary = Assert.Single(_written.Entries.Skip(LogFloodGuard.PerMinute));
        Assert.Equal(LogLevel.Warning, summary.Level);
        Assert.Contains("suppressed 480 more", summary.Message);

        // A new minute has a new allowance.
        log.LogError(new EventId(7), "Could not deliver reminder tick {I}", 501);
        Assert.Equal(LogFloodGuard.PerMinute + 2, _written.Entries.Count);
    }

    [Fact]
    public void Kinds_are_counted_apart_and_information_is_never_limited()
    {
        using var provider = new FloodGuardedLoggerProvider(_written, _clock);
        var a = provider.CreateLogger("A");
        var b = provider.CreateLogger("B");
        for (var i = 0; i < 100; i++)
        {
            a.LogWarning(new EventId(1), "a1");
            a.LogWarning(new EventId(2), "a2");
            b.LogWarning(new EventId(1), "b1");
            a.LogInformation(new EventId(1), "info");
        }
        Assert.Equal(3 * LogFloodGuard.PerMinute + 100, _written.Entries.Count);
        Assert.Equal(100, _written.Entries.Count(e => e.Message == "info"));
    }

    private sealed class Recording : ILoggerProvider
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];
        public ILogger CreateLogger(string categoryName) => new Logger(this);
        public void Dispose() { }

        private sealed class Logger(Recording owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner.Entries) owner.Entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
