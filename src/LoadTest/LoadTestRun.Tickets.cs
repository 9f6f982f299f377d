using System.Net;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace Sanmenxia.LoadTest;

/// <summary>
/// Phase "tickets" (platforms 1 and 6): hotline calls, a burst of lead reports, the workflow on a share of them, queue
/// pages, and the roll-up's push latency. Everything goes through the staff route (POST /api/tickets as a hotline
/// operator, source HotlineCall or LeadReport), not the anonymous lead route, whose per-client limit
/// (Tickets:PublicPermitsPerMinute) would refuse a load test from one address. Tickets are created over real time:
/// the API stamps them with the domain clock's now and takes no receipt time, so spreading them over the seed's five
/// weeks would need a simulation speed at which every deadline fires during the run (docs/benchmarks.md, Session 5).
/// </summary>
public sealed partial class LoadTestRun
{
    private static readonly string[] CallKinds = ["Consultation", "Help", "Report", "Verification", "Complaint"];
    private static readonly string[] Categories = ["NoFeverCheckPoint", "PersonWithFever", "Gathering", "BackFromWuhan", "VehicleFromHubei",
        "Rumour", "PriceGouging", "FakeProtectiveSupplies", "UsedMaskResale", "WildAnimalTrade"];
    private readonly List<string> _burstTickets = [];
    private string _hotlineToken = "";

    private async Task<string> HotlineTokenAsync()
    {
        if (_hotlineToken.Length > 0) return _hotlineToken;
        const string username = "lt-hotline";
        var password = _secrets.StaffPassword(username);
        var (status, _, body) = await _api.PostJsonAsync("api/admin/staff",
            new { username, password, displayName = "压测话务员", role = "hotline", jurisdiction = "411200" }, _adminToken);
        if (status is not (HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Conflict))
            throw new LoadTestException($"POST /api/admin/staff failed ({(int)status}): {ApiClient.Trim(body)}");
        return _hotlineToken = await LoginAsync(username, password);
    }

    private byte[] TicketBody(int i, bool lead)
    {
        var village = _population.Villages[(int)((uint)(i * 2654435761u) % (uint)_population.Villages.Count)].Code.Value;
        var kind = lead ? "Report" : CallKinds[i % CallKinds.Length];
        var category = kind == "Report" ? $"\"{Categories[i % Categories.Length]}\"" : "null";
        var phone = $"139{(uint)(i * 7919 + o.Seed) % 100_000_000:D8}";
        return Encoding.UTF8.GetBytes($$"""
            {"source":"{{(lead ? "LeadReport" : "HotlineCall")}}","kind":"{{kind}}","category":{{category}},"regionCode":"{{village}}","address":"压测地址 {{i}} 号","description":"压测工单 {{i}}：请核实处理","phone":"{{phone}}"}
            """);
    }

    /// <summary>Hotline calls (default 15,000), then the lead burst (default 100,000), both POST /api/tickets.</summary>
    private async Task<PhaseRecorder> TicketCreatesAsync(ProgressTask task, bool burst)
    {
        var token = await HotlineTokenAsync();
        var n = burst ? o.TicketBurst : o.Tickets;
        var recorder = new PhaseRecorder(burst ? "tickets-burst" : "tickets-calls", "POST /api/tickets (hotline operator)", n);
        task.MaxValue = Math.Max(1, n);
        var offset = burst ? 1_000_000 : 0;
        await BoundedRunner.RunAsync(recorder, n, o.Concurrency, TimeSpan.FromSeconds(o.MaxSeconds), async (i, ct) =>
        {
            var (status, text) = await _api.SendFastAsync(HttpMethod.Post, "api/tickets", token, TicketBody(offset + i, burst), burst, ct);
            if (burst && status == 201 && text is not null)
            {
                var number = JsonDocument.Parse(text).RootElement.GetProperty("number").GetString()!;
                lock (_burstTickets) _burstTickets.Add(number);
            }
            return Classify(status, text);
        }, () => task.Increment(1));
        recorder.Extra["source"] = burst ? "LeadReport (staff route; the anonymous route is rate-limited per client)" : "HotlineCall";
        recorder.Extra["clock"] = "real time (no backdating through the API)";
        return recorder;
    }

    /// <summary>
    /// accept → dispatch (a department) → handle → feedback (satisfied) → close on a share of the burst, each ticket's
    /// steps in order, tickets in parallel; dashboard subscribers time each close from its acknowledgement to the first
    /// city update whose cumulative closed count includes it.
    /// </summary>
    private async Task<PhaseRecorder> TicketTransitionsAsync(ProgressTask task)
    {
        var token = await HotlineTokenAsync();
        List<string> tickets;
        lock (_burstTickets) tickets = _burstTickets.Take((int)(_burstTickets.Count * o.TicketTransitionShare)).ToList();
        var steps = new (string Action, byte[] Body)[]
        {
            ("accept", """{"note":"属实"}"""u8.ToArray()), ("dispatch", """{"department":"health-commission"}"""u8.ToArray()),
            ("handle", """{"result":"已核实处置"}"""u8.ToArray()), ("feedback", """{"outcome":"Satisfied"}"""u8.ToArray()), ("close", "{}"u8.ToArray()),
        };
        var recorder = new PhaseRecorder("tickets-transitions", "POST /api/tickets/{n}/accept|dispatch|handle|feedback|close", tickets.Count);
        task.MaxValue = Math.Max(1, tickets.Count);
        DashboardWatcher? dashboard = null;
        try { dashboard = await DashboardWatcher.StartAsync(o.BaseUrl, _adminToken, ["411200"], "tickets.total.closed"); }
        catch (Exception e) { _notes.Add($"ticket dashboard subscriber not started: {e.GetType().Name}: {e.Message}"); }
        long transitions = 0;
        await BoundedRunner.RunAsync(recorder, tickets.Count, o.Concurrency, TimeSpan.FromSeconds(o.MaxSeconds), async (i, ct) =>
        {
            foreach (var (action, body) in steps)
            {
                var (status, text) = await _api.SendFastAsync(HttpMethod.Post, $"api/tickets/{tickets[i]}/{action}", token, body, false, ct);
                var outcome = Classify(status, text);
                if (outcome.Item1 != Outcome.Ok) return outcome;
                Interlocked.Increment(ref transitions);
                if (action == "close") dashboard?.Acknowledged();
            }
            return (Outcome.Ok, null);
        }, () => task.Increment(1));
        recorder.Units = Interlocked.Read(ref transitions);
        recorder.Extra["share"] = o.TicketTransitionShare;
        recorder.Extra["unit"] = "one transition (five per ticket); latency is per ticket (five calls in a row)";
        if (dashboard is not null)
        {
            await dashboard.SettleAsync(TimeSpan.FromSeconds(30));
            var push = dashboard.Summary();
            recorder.Extra["dashboardPush"] = push;
            AnsiConsole.MarkupLineInterpolated($"  ticket roll-up push: close→city screen p50 {push["eventToScreenP50Ms"]} ms, p99 {push["eventToScreenP99Ms"]} ms ({push["eventToScreenSamples"]} samples)");
            await dashboard.DisposeAsync();
        }
        return recorder;
    }

    /// <summary>Queue pages (GET /api/tickets/queue?take=50) for the city, each county and some townships, as the hotline operator.</summary>
    private async Task<PhaseRecorder> TicketQueueAsync(ProgressTask task)
    {
        var token = await HotlineTokenAsync();
        var regions = new List<string> { "411200" };
        regions.AddRange(_population.Villages.Select(v => v.Code.Value[..6]).Distinct());
        regions.AddRange(_population.Villages.Select(v => v.Code.Value[..9]).Distinct().Take(50));
        var recorder = new PhaseRecorder("tickets-queue", "GET /api/tickets/queue?region=…&take=50", o.TicketQueueQueries);
        task.MaxValue = Math.Max(1, o.TicketQueueQueries);
        var concurrency = Math.Min(o.Concurrency, 32);
        await BoundedRunner.RunAsync(recorder, o.TicketQueueQueries, concurrency, TimeSpan.FromSeconds(o.MaxSeconds), async (i, ct) =>
        {
            var region = regions[i % regions.Count];
            var state = (i / regions.Count % 3) switch { 0 => "", 1 => "&state=Received", _ => "&escalated=true" };
            var (status, text) = await _api.SendFastAsync(HttpMethod.Get, $"api/tickets/queue?region={region}&take=50{state}", token, null, false, ct);
            return Classify(status, text);
        }, () => task.Increment(1));
        recorder.Extra["regions"] = regions.Count;
        recorder.Extra["concurrency"] = concurrency;
        return recorder;
    }
}
