using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using HdrHistogram;
using Microsoft.AspNetCore.SignalR.Client;

namespace Sanmenxia.LoadTest;

/// <summary>
/// Dashboard subscribers measuring the freshness of the live push while clock-ins run:
///  - publish→screen: receive time − the update's server timestamp (the grain → hub → client leg), every update;
///  - event→screen: for the city, the time from the k-th acknowledged write of this run to the first city update
///    whose counter (e.g. "applied") reached base + k (includes the coalescing at each level of the tree).
/// Same machine, same clock: the two timestamps are comparable.
/// </summary>
public sealed class DashboardWatcher : IAsyncDisposable
{
    private readonly List<HubConnection> _connections = [];
    private readonly LongHistogram _publishToScreen = new(600_000_000, 3);
    private readonly LongHistogram _eventToScreen = new(600_000_000, 3);
    private readonly ConcurrentQueue<long> _acks = new();
    private readonly object _gate = new();
    private int? _cityBase;
    private int _cityReported;
    private long _updates;

    private string _metric = "applied";

    public static async Task<DashboardWatcher> StartAsync(Uri baseUrl, string token, IReadOnlyList<string> regions, string metric)
    {
        var watcher = new DashboardWatcher { _metric = metric };
        foreach (var region in regions)
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(baseUrl, "hubs/dashboard"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .Build();
            connection.On<JsonElement>("regionUpdate", update => watcher.OnUpdate(update));
            await connection.StartAsync();
            await connection.InvokeAsync<JsonElement>("Subscribe", region);
            watcher._connections.Add(connection);
        }
        return watcher;
    }

    /// <summary>Waits (bounded) until the city shows every acknowledged clock-in, so the last ones are measured too.</summary>
    public async Task SettleAsync(TimeSpan deadline)
    {
        var until = Stopwatch.GetTimestamp() + (long)(deadline.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            lock (_gate) if (_cityBase is { } b && _cityReported - b >= _acks.Count) return;
            await Task.Delay(100);
        }
    }

    /// <summary>Call once per acknowledged clock-in (in the order the acknowledgements arrive).</summary>
    public void Acknowledged() => _acks.Enqueue(Stopwatch.GetTimestamp());

    private void OnUpdate(JsonElement update)
    {
        var receivedUtc = DateTimeOffset.UtcNow;
        var received = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            _updates++;
            if (update.GetProperty("version").GetInt64() > 0 && update.TryGetProperty("at", out var atProperty))
            {
                var lag = (receivedUtc - atProperty.GetDateTimeOffset()).TotalMicroseconds;
                _publishToScreen.RecordValue(Math.Clamp((long)lag, 1, 600_000_000));
            }
            if (update.GetProperty("code").GetString() != "411200") return;
            // The metric is a path under counts, e.g. "applied" or "tickets.total.closed".
            var value = update.GetProperty("counts");
            foreach (var part in _metric.Split('.')) value = value.GetProperty(part);
            var clockedIn = value.GetInt32();
            if (_cityBase is null) { _cityBase = clockedIn; _cityReported = clockedIn; return; }
            var acks = _acks.ToArray();
            // Every acknowledged clock-in this update shows for the first time: its event → screen time.
            for (var k = _cityReported + 1; k <= clockedIn; k++)
            {
                var index = k - _cityBase.Value - 1;
                if (index < 0 || index >= acks.Length) continue; // counted by the server before our acknowledgement arrived
                _eventToScreen.RecordValue(Math.Max(1, (long)Stopwatch.GetElapsedTime(acks[index], received).TotalMicroseconds));
            }
            _cityReported = Math.Max(_cityReported, clockedIn);
        }
    }

    public Dictionary<string, object> Summary()
    {
        lock (_gate)
        {
            double Ms(LongHistogram h, double p) => h.TotalCount == 0 ? 0 : Math.Round(h.GetValueAtPercentile(p) / 1000.0, 1);
            return new Dictionary<string, object>
            {
                ["subscriptions"] = _connections.Count,
                ["updates"] = _updates,
                ["publishToScreenP50Ms"] = Ms(_publishToScreen, 50),
                ["publishToScreenP99Ms"] = Ms(_publishToScreen, 99),
                ["eventToScreenSamples"] = _eventToScreen.TotalCount,
                ["eventToScreenP50Ms"] = Ms(_eventToScreen, 50),
                ["eventToScreenP99Ms"] = Ms(_eventToScreen, 99),
                ["eventToScreenMaxMs"] = Ms(_eventToScreen, 100),
            };
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections) await connection.DisposeAsync();
    }
}
