using System.Net;
using System.Text.Json;
using Spectre.Console;

namespace Sanmenxia.LoadTest;

/// <summary>The phases staff drive: checkpoint scans (as the administrator) and village resident lists (as village staff).</summary>
public sealed partial class LoadTestRun
{
    /// <summary>
    /// Checkpoint staff register entries and exits by typed ID number (platform 5). The checkpoints are generated
    /// over the system's tree first (idempotent); the scans run as the administrator, who may scan at any checkpoint.
    /// </summary>
    private async Task<PhaseRecorder> ScansAsync(ProgressTask task)
    {
        var (generated, generateBody) = await _api.SendAsync(HttpMethod.Post, "api/admin/checkpoints/generate", _adminToken, "{}"u8.ToArray());
        if (generated != HttpStatusCode.OK) throw new LoadTestException($"checkpoint generation failed ({(int)generated}): {ApiClient.Trim(generateBody)}");
        var checkpoints = new List<string>();
        for (var skip = 0; ; skip += 1000)
        {
            var (status, body) = await _api.SendAsync(HttpMethod.Get, $"api/checkpoints?take=1000&skip={skip}", _adminToken);
            if (status != HttpStatusCode.OK) throw new LoadTestException($"listing checkpoints failed ({(int)status}): {ApiClient.Trim(body)}");
            var items = JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList();
            checkpoints.AddRange(items);
            if (items.Count < 1000) break;
        }
        if (checkpoints.Count == 0) throw new LoadTestException("the system has no checkpoints");
        var n = o.Scans ?? Math.Min(_population.Count, 200_000);
        var recorder = new PhaseRecorder("scan", "POST /api/checkpoints/{id}/passes", n);
        task.MaxValue = n;
        var order = Population.Permutation(_population.Count, (ulong)o.Seed * 31 + 5);
        await BoundedRunner.RunAsync(recorder, n, o.Concurrency, TimeSpan.FromSeconds(o.MaxSeconds), async (i, ct) =>
        {
            var r = order[i % order.Length];
            var checkpoint = checkpoints[(int)((uint)(r * 2654435761u) % (uint)checkpoints.Count)];
            var body = System.Text.Encoding.UTF8.GetBytes($"{{\"direction\":\"{(i % 2 == 0 ? "In" : "Out")}\",\"idNumber\":\"{_population.IdNumber(r)}\"}}");
            var (status, text) = await _api.SendFastAsync(HttpMethod.Post, $"api/checkpoints/{checkpoint}/passes", _adminToken, body, false, ct);
            return Classify(status, text);
        }, () => task.Increment(1));
        recorder.Extra["checkpoints"] = checkpoints.Count;
        recorder.Extra["method"] = "typed ID number, as the administrator";
        return recorder;
    }

    private async Task<PhaseRecorder> VillageQueriesAsync(ProgressTask task)
    {
        // Staff for villages spread over the tree, each with residents; created once (409 = exists), then signed in.
        var withResidents = Enumerable.Range(0, _population.Count).Select(i => _population[i].Village).Distinct().Order().ToList();
        var picks = Enumerable.Range(0, Math.Min(o.VillageStaff, withResidents.Count))
            .Select(k => withResidents[(int)((long)k * withResidents.Count / Math.Min(o.VillageStaff, withResidents.Count))]).Distinct().ToList();
        var staff = new List<(string Village, string Token)>();
        foreach (var v in picks)
        {
            var code = _population.Villages[v].Code.Value;
            var username = $"lt-village-{code}";
            var password = _secrets.StaffPassword(username);
            var (status, _, body) = await _api.PostJsonAsync("api/admin/staff",
                new { username, password, displayName = $"压测村干部 {code}", role = "village", jurisdiction = code }, _adminToken);
            if (status is not (HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Conflict))
                throw new LoadTestException($"POST /api/admin/staff failed ({(int)status}): {ApiClient.Trim(body)}");
            staff.Add((code, await LoginAsync(username, password)));
        }
        var recorder = new PhaseRecorder("village", "GET /api/villages/{code}/residents?take=50", o.VillageQueries);
        task.MaxValue = Math.Max(1, o.VillageQueries);
        await BoundedRunner.RunAsync(recorder, o.VillageQueries, Math.Min(o.Concurrency, 64), TimeSpan.FromSeconds(o.MaxSeconds), async (i, ct) =>
        {
            var (code, token) = staff[i % staff.Count];
            var skip = (i / staff.Count % 3) * 50;
            var (status, text) = await _api.SendFastAsync(HttpMethod.Get, $"api/villages/{code}/residents?take=50&skip={skip}", token, null, false, ct);
            return Classify(status, text);
        }, () => task.Increment(1));
        recorder.Extra["staffAccounts"] = staff.Count;
        recorder.Extra["concurrency"] = Math.Min(o.Concurrency, 64);
        return recorder;
    }
}
