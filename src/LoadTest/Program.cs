using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Sanmenxia.LoadTest;
using Sanmenxia.Regions;
using Spectre.Console;

LoadTestOptions options;
try
{
    if (args.Contains("--help") || args.Contains("-h")) { Console.WriteLine(LoadTestOptions.Usage); return 0; }
    // Logs and CI capture the output: give the tables room instead of wrapping them at 80 columns.
    if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 170;
    options = LoadTestOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"loadtest: {e.Message}");
    Console.Error.WriteLine(LoadTestOptions.Usage);
    return 2;
}

try
{
    return await new LoadTestRun(options).RunAsync();
}
catch (LoadTestException e)
{
    AnsiConsole.MarkupLineInterpolated($"[red]loadtest: {e.Message}[/]");
    return 1;
}

namespace Sanmenxia.LoadTest
{
    public sealed class LoadTestException(string message) : Exception(message);

    /// <summary>One run: set up (admin, regions, population), the pgbench baseline, the phases, the report.</summary>
    public sealed class LoadTestRun(LoadTestOptions o)
    {
        private readonly string _root = FindRoot();
        private readonly List<PhaseResult> _phases = [];
        private readonly Dictionary<string, List<ProcessSummary>> _processesByPhase = new(StringComparer.Ordinal);
        private readonly List<string> _notes = [];
        private Population _population = null!;
        private ResidentTokens _tokens = null!;
        private ApiClient _api = null!;
        private string _adminToken = "";
        private int[] _applied = [];
        private bool[]? _hasCode;
        private Secrets _secrets = null!;

        public async Task<int> RunAsync()
        {
            var dataDir = o.DataDir ?? (Environment.GetEnvironmentVariable("SANMENXIA_DATA") is { Length: > 0 } d ? d : Path.Combine(_root, ".data"));
            var secrets = _secrets = Secrets.Load(dataDir);
            _api = new ApiClient(o.BaseUrl, o.Concurrency + o.ImportParallel + 32);
            var runStarted = DateTimeOffset.UtcNow;
            var wall = Stopwatch.StartNew();

            AnsiConsole.Write(new Rule($"[bold]Sanmenxia load test[/] {(o.Smoke ? "(smoke) " : "")}{o.Residents:N0} residents → {o.BaseUrl}").LeftJustified());

            // ---------------------------------------------------------------- the system is up and we are admin
            try
            {
                var (ready, body) = await _api.SendAsync(HttpMethod.Get, "health/ready", null);
                if (ready != HttpStatusCode.OK) throw new LoadTestException($"the system is not ready ({(int)ready}): {ApiClient.Trim(body)}. Run ./sanmenxia up first.");
            }
            catch (HttpRequestException e) { throw new LoadTestException($"no API at {o.BaseUrl} ({e.Message}). Run ./sanmenxia up first."); }
            _adminToken = await LoginAsync(secrets.AdminUsername, secrets.AdminPassword);

            // ---------------------------------------------------------------- the region tree the system holds
            var regionInfo = await EnsureRegionsAsync();
            var tree = SanmenxiaRegions.GenerateSyntheticTree(o.Seed, regionInfo.Villages);

            // ---------------------------------------------------------------- the population
            var generation = Stopwatch.StartNew();
            _population = Population.Generate(tree, o.Residents, o.Seed, o.Cohort);
            _tokens = new ResidentTokens(secrets, _population);
            AnsiConsole.MarkupLineInterpolated($"Population: {_population.Count:N0} residents in {_population.Households:N0} households over {_population.Villages.Count:N0} villages, {_population.AdultsWithPhone():N0} with phones (generated in {generation.Elapsed.TotalSeconds:F1} s, seed {o.Seed}, cohort {o.Cohort})");
            await CheckMintedTokenAsync();

            // ---------------------------------------------------------------- measure
            var watched = ProcessSampler.Discover(dataDir);
            watched.InsertRange(0, o.Watch.Select(w => new Watched(w.Name, w.Pid, false)));
            AnsiConsole.MarkupLineInterpolated($"Sampling: {string.Join(", ", watched.Select(w => $"{w.Name} (pid {w.Pid})"))}");
            PgBenchResult? pgbench = null;
            await using (var sampler = new ProcessSampler(watched))
            {
                if (o.Phases.Contains("pgbench"))
                {
                    if (o.PgBenchSeconds > 0)
                    {
                        AnsiConsole.MarkupLineInterpolated($"pgbench: durable single-row upsert, {o.PgBenchClients} clients, {o.PgBenchSeconds} s …");
                        var from = sampler.Now;
                        pgbench = await PgBench.RunAsync(secrets, o.PgBenchSeconds, o.PgBenchClients, CancellationToken.None);
                        _processesByPhase["pgbench"] = sampler.Summaries(from, sampler.Now);
                        if (pgbench.Ran) AnsiConsole.MarkupLineInterpolated($"pgbench: [bold]{pgbench.Tps:N0} TPS[/], {pgbench.LatencyAvgMs} ms average");
                        else AnsiConsole.MarkupLineInterpolated($"pgbench skipped: {pgbench.Skipped}");
                    }
                    else pgbench = new PgBenchResult(false, "--pgbench-seconds 0", o.PgBenchClients, 0, 0, 0, 0, "");
                }

                await AnsiConsole.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .StartAsync(async ctx =>
                    {
                        async Task Phase(string key, string title, Func<ProgressTask, Task<PhaseRecorder>> run)
                        {
                            if (!o.Phases.Contains(key)) return;
                            var task = ctx.AddTask(title);
                            var from = sampler.Now;
                            var recorder = await run(task);
                            task.Value = task.MaxValue;
                            task.StopTask();
                            _processesByPhase[key] = sampler.Summaries(from, sampler.Now);
                            var r = recorder.Result();
                            _phases.Add(r);
                            AnsiConsole.MarkupLineInterpolated($"  {title}: {r.Count:N0} ops ({r.Units:N0} units) in {r.Seconds:N1} s = [bold]{r.UnitsPerSecond:N0}/s[/], p50 {r.P50Ms} ms, p99 {r.P99Ms} ms, errors {r.Errors:N0}, refused {r.Refused:N0}{(r.Truncated ? " (deadline)" : "")}");
                        }

                        await Phase("register", "register (CSV import)", RegisterAsync);
                        _applied = ApplySet();
                        await Phase("apply", "apply for a code", ApplyAsync);
                        await Phase("clockin", "daily clock-in", ClockInAsync);
                        await Phase("code", "read own code", CodeReadsAsync);
                        await Phase("scan", "checkpoint scans", ScansAsync);
                        await Phase("village", "village resident lists", VillageQueriesAsync);
                        await Phase("sweep", "day-close sweep (simulated midnight)", task => SweepAsync(task, dataDir, secrets));
                    });

                _processesByPhase["run"] = sampler.Summaries();
                var database = await DatabaseFactsAsync(secrets);
                var result = BuildResult(runStarted, wall.Elapsed, regionInfo, pgbench, sampler, database);
                var (jsonPath, mdPath) = await WriteAsync(result);
                PrintSummary(result);
                AnsiConsole.MarkupLineInterpolated($"Results: [bold]{Path.GetRelativePath(_root, jsonPath)}[/] and [bold]{Path.GetRelativePath(_root, mdPath)}[/]");
            }
            return _phases.Any(p => p.Count > 0 && p.Errors > p.Count / 100) ? 3 : 0;
        }

        // ==================================================================== setup

        private async Task<string> LoginAsync(string username, string password)
        {
            var (status, json, body) = await _api.PostJsonAsync("api/auth/staff/login", new { username, password }, null);
            if (status != HttpStatusCode.OK || json is null) throw new LoadTestException($"login as {username} failed ({(int)status}): {ApiClient.Trim(body)}");
            return json.Value.GetProperty("token").GetString()!;
        }

        private sealed record RegionSetup(int Villages, int HeldBefore, int HeldAfter, bool Generated, bool Matches, double GenerateSeconds);

        /// <summary>
        /// The population must live in the villages the system has. Default: use as many villages as the system holds
        /// (or the preset if it holds none), generate that tree with the same seed (idempotent), then check by reading
        /// GET /api/regions that every village of the local tree is there with the same name.
        /// </summary>
        private async Task<RegionSetup> EnsureRegionsAsync()
        {
            var held = await SystemVillagesAsync();
            var count = o.Villages ?? (held.Count > 0 ? held.Count : o.Smoke ? 200 : SanmenxiaRegions.DefaultTargetVillages);
            if (o.Villages is { } asked && held.Count > 0 && asked != held.Count)
                AnsiConsole.MarkupLineInterpolated($"[yellow]The system holds {held.Count:N0} villages; --villages {asked} adds a different tree to them.[/]");
            var generateSeconds = 0.0;
            if (o.GenerateRegions)
            {
                var sw = Stopwatch.StartNew();
                var (status, _, body) = await _api.PostJsonAsync("api/admin/regions/generate", new { seed = o.Seed, villages = count }, _adminToken);
                // Idempotent, and on a freshly started populated system the first call warms every village (each loads
                // its residents' rows): a 503 + Retry-After then is expected, so try again, a bounded number of times.
                for (var attempt = 1; status == HttpStatusCode.ServiceUnavailable && attempt <= 10; attempt++)
                {
                    AnsiConsole.MarkupLineInterpolated($"[grey]regions/generate: 503 while the system warms up; retrying ({attempt}/10)[/]");
                    await Task.Delay(TimeSpan.FromSeconds(5));
                    (status, _, body) = await _api.PostJsonAsync("api/admin/regions/generate", new { seed = o.Seed, villages = count }, _adminToken);
                }
                if (status != HttpStatusCode.OK) throw new LoadTestException($"POST /api/admin/regions/generate failed ({(int)status}): {ApiClient.Trim(body)}");
                generateSeconds = sw.Elapsed.TotalSeconds;
            }
            var after = o.GenerateRegions ? await SystemVillagesAsync() : held;
            var local = SanmenxiaRegions.GenerateSyntheticTree(o.Seed, count).Where(r => r.Level == RegionLevel.Village).ToList();
            var missing = local.Count(v => !after.TryGetValue(v.Code.Value, out var name) || name != v.Name);
            if (missing > 0)
                throw new LoadTestException($"{missing:N0} of the {local.Count:N0} villages of the synthetic tree (seed {o.Seed}, {count} villages) are not in the system as generated; generate it first (drop --no-generate-regions) or pass the system's --seed/--villages.");
            if (after.Count != local.Count) _notes.Add($"The system holds {after.Count:N0} villages; the population uses the {local.Count:N0} of the tree (seed {o.Seed}, {count}).");
            AnsiConsole.MarkupLineInterpolated($"Regions: {local.Count:N0} villages (seed {o.Seed}); the system held {held.Count:N0} before{(o.GenerateRegions ? $", generate took {generateSeconds:F1} s" : "")}");
            return new RegionSetup(count, held.Count, after.Count, o.GenerateRegions, true, Math.Round(generateSeconds, 2));
        }

        /// <summary>Walks GET /api/regions city → counties → townships → villages.</summary>
        private async Task<Dictionary<string, string>> SystemVillagesAsync()
        {
            var villages = new Dictionary<string, string>(StringComparer.Ordinal);
            var queue = new Queue<string>([SanmenxiaRegions.CityCode.Value]);
            var calls = 0;
            while (queue.Count > 0 && calls++ < 5_000)
            {
                var parent = queue.Dequeue();
                foreach (var child in (await _api.GetJsonAsync($"api/regions?parent={parent}")).EnumerateArray())
                {
                    var code = child.GetProperty("code").GetString()!;
                    if (child.GetProperty("level").GetString() == nameof(RegionLevel.Village)) villages[code] = child.GetProperty("name").GetString()!;
                    else queue.Enqueue(code);
                }
            }
            return villages;
        }

        /// <summary>The minted resident token must be one the API accepts (same key, issuer, claims).</summary>
        private async Task CheckMintedTokenAsync()
        {
            var (status, body) = await _api.SendAsync(HttpMethod.Get, "api/auth/me", _tokens.For(0));
            if (status != HttpStatusCode.OK)
                throw new LoadTestException($"the API refused a minted resident token ({(int)status}): is Auth__SigningKey in secrets.env the one the API runs with? {ApiClient.Trim(body)}");
            var me = JsonDocument.Parse(body).RootElement;
            var rk = me.TryGetProperty("residentKey", out var k) ? k.GetString() : null;
            if (rk != _tokens.ResidentKey(0)) throw new LoadTestException($"the API read resident key {rk} from a token minted for {_tokens.ResidentKey(0)}");
        }

        // ==================================================================== phases

        private async Task<PhaseRecorder> RegisterAsync(ProgressTask task)
        {
            var chunks = _population.Chunks(o.ImportChunk);
            var recorder = new PhaseRecorder("register", "POST /api/admin/residents/import (text/csv)", chunks.Count);
            task.MaxValue = _population.Count;
            long imported = 0, already = 0, rowErrors = 0, rows = 0;
            var reasons = new Dictionary<string, long>(StringComparer.Ordinal);
            await BoundedRunner.RunAsync(recorder, chunks.Count, o.ImportParallel, TimeSpan.FromSeconds(o.MaxSeconds), async (i, ct) =>
            {
                var (start, end) = chunks[i];
                var csv = _population.Csv(start, end);
                var (status, body) = await _api.SendAsync(HttpMethod.Post, "api/admin/residents/import", _adminToken, csv, csv: true, ct: ct);
                task.Increment(end - start);
                if (status != HttpStatusCode.OK) return (Outcome.Error, $"HTTP {(int)status}");
                var report = JsonDocument.Parse(body).RootElement;
                Interlocked.Add(ref rows, report.GetProperty("rows").GetInt32());
                Interlocked.Add(ref imported, report.GetProperty("imported").GetInt32());
                Interlocked.Add(ref already, report.GetProperty("alreadyRegistered").GetInt32());
                var errors = report.GetProperty("errors");
                Interlocked.Add(ref rowErrors, errors.GetArrayLength());
                lock (reasons)
                    foreach (var e in errors.EnumerateArray().Take(50))
                    {
                        var reason = $"{e.GetProperty("field").GetString()}: {e.GetProperty("reason").GetString()}";
                        reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                    }
                return errors.GetArrayLength() > 0 ? (Outcome.Refused, "rows refused") : (Outcome.Ok, null);
            });
            recorder.Units = imported + already;
            recorder.Extra["rows"] = rows;
            recorder.Extra["imported"] = imported;
            recorder.Extra["alreadyRegistered"] = already;
            recorder.Extra["rowErrors"] = rowErrors;
            recorder.Extra["rowErrorReasons"] = reasons.OrderByDescending(r => r.Value).Take(10).ToDictionary(r => r.Key, r => (object)r.Value);
            recorder.Extra["chunkRows"] = o.ImportChunk;
            recorder.Extra["parallelRequests"] = o.ImportParallel;
            recorder.Extra["unit"] = "residents registered (imported + already registered)";
            if (already > 0) _notes.Add($"{already:N0} residents were already registered (a re-run of the same seed/cohort): the register rate then measures the idempotent path. Use --cohort K for a fresh population.");
            return recorder;
        }

        private int[] ApplySet()
        {
            // Only residents who can sign in (a phone of their own or their household's; ~1 % of households have none,
            // and in 2020 their village or a relative acted for them) use the resident endpoints.
            var perm = Population.Permutation(_population.Count, (ulong)o.Seed * 31 + 1).Where(CanSignIn).ToArray();
            var n = (int)Math.Ceiling(perm.Length * o.ApplyShare);
            return perm[..n];
        }

        private bool CanSignIn(int resident) => _population.SignInPhone(resident) is not null;

        private static decimal Temperature(int resident, int salt)
        {
            var h = (uint)HashCode.Combine(resident, salt) & 0x7fffffff; // HashCode is per-process random: fine, temperatures need not repeat
            return 36.0m + (h % 12) / 10m; // 36.0 … 37.1
        }

        private static readonly byte[][] ApplyBodies = Enumerable.Range(0, 12)
            .Select(t => Encoding.UTF8.GetBytes($"{{\"temperature\":{(36.0m + t / 10m).ToString(CultureInfo.InvariantCulture)},\"honestyPledge\":true}}")).ToArray();

        private static readonly byte[][] ClockInBodies = Enumerable.Range(0, 12)
            .Select(t => Encoding.UTF8.GetBytes($"{{\"temperature\":{(36.0m + t / 10m).ToString(CultureInfo.InvariantCulture)},\"symptoms\":[]}}")).ToArray();

        private static readonly byte[] FeverClockIn = Encoding.UTF8.GetBytes("{\"temperature\":38.1,\"symptoms\":[\"fever\",\"cough\"]}");

        private static (Outcome, string?) Classify(int status, string? body)
        {
            if (status is >= 200 and < 300) return (Outcome.Ok, null);
            if (status == 422)
            {
                // The rules refused (e.g. "already applied" on a re-run): an answer, not a failure.
                var detail = "";
                try { detail = JsonDocument.Parse(body ?? "{}").RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : ""; } catch (JsonException) { }
                return (Outcome.Refused, "422 " + (detail.Length > 60 ? detail[..60] : detail));
            }
            return (Outcome.Error, $"HTTP {status}");
        }

        private async Task<PhaseRecorder> ApplyAsync(ProgressTask task)
        {
            var set = _applied;
            _hasCode = new bool[_population.Count];
            var recorder = new PhaseRecorder("apply", "POST /api/residents/me/apply", set.Length);
            task.MaxValue = set.Length;
            // Dashboard subscribers (the city and its counties) measure the live push while the applications run: each
            // new code changes the city's "applied" count, so each acknowledgement has a moment on screen.
            // (Same-day clock-ins after an application change no count, so the clock-in phase cannot be timed this way.)
            DashboardWatcher? dashboard = null;
            try { dashboard = await DashboardWatcher.StartAsync(o.BaseUrl, _adminToken, ["411200", "411202", "411203", "411221", "411224", "411281", "411282"], "applied"); }
            catch (Exception e) { _notes.Add($"dashboard subscribers not started: {e.GetType().Name}: {e.Message}"); }
            await BoundedRunner.RunAsync(recorder, set.Length, o.Concurrency, TimeSpan.FromSeconds(o.MaxSeconds), async (i, ct) =>
            {
                var r = set[i];
                var body = ApplyBodies[(int)((Temperature(r, 1) - 36.0m) * 10)];
                var (status, text) = await _api.SendFastAsync(HttpMethod.Post, "api/residents/me/apply", _tokens.For(r), body, false, ct);
                var outcome = Classify(status, text);
                if (outcome.Item1 == Outcome.Ok) dashboard?.Acknowledged();
                // Applied now, or before (a re-run): either way this resident can clock in.
                if (outcome.Item1 == Outcome.Ok || outcome.Item2?.Contains("already applied", StringComparison.Ordinal) == true) _hasCode![r] = true;
                return outcome;
            }, () => task.Increment(1));
            if (dashboard is not null)
            {
                await dashboard.SettleAsync(TimeSpan.FromSeconds(15));
                var push = dashboard.Summary();
                recorder.Extra["dashboardPush"] = push;
                AnsiConsole.MarkupLineInterpolated($"  dashboard push: {push["updates"]} updates; event→screen p50 {push["eventToScreenP50Ms"]} ms, p99 {push["eventToScreenP99Ms"]} ms ({push["eventToScreenSamples"]} samples); publish→screen p99 {push["publishToScreenP99Ms"]} ms");
                await dashboard.DisposeAsync();
            }
            recorder.Extra["share"] = o.ApplyShare;
            return recorder;
        }

        private async Task<PhaseRecorder> ClockInAsync(ProgressTask task)
        {
            // Only residents with a code can clock in: if the apply phase ran (perhaps cut by its deadline), those it got through.
            var candidates = _hasCode is null ? _applied : _applied.Where(r => _hasCode[r]).ToArray();
            var order = Population.Permutation(candidates.Length, (ulong)o.Seed * 31 + 2);
            var n = (int)Math.Ceiling(candidates.Length * o.ClockInShare);
            var recorder = new PhaseRecorder("clockin", "POST /api/residents/me/clock-in", n);
            task.MaxValue = n;
            var feverEvery = o.FeverShare > 0 ? (int)Math.Max(1, 1 / o.FeverShare) : int.MaxValue;
            await BoundedRunner.RunAsync(recorder, n, o.Concurrency, TimeSpan.FromSeconds(o.MaxSeconds), async (i, ct) =>
            {
                var r = candidates[order[i]];
                var body = i % feverEvery == feverEvery - 1 ? FeverClockIn : ClockInBodies[(int)((Temperature(r, 2) - 36.0m) * 10)];
                var (status, text) = await _api.SendFastAsync(HttpMethod.Post, "api/residents/me/clock-in", _tokens.For(r), body, false, ct);
                return Classify(status, text);
            }, () => task.Increment(1));
            recorder.Extra["share"] = o.ClockInShare;
            recorder.Extra["feverShare"] = o.FeverShare;
            return recorder;
        }

        /// <summary>The day-close sweep at the next simulated midnight (DayCloseSweep): needs the simulation clock.</summary>
        private async Task<PhaseRecorder> SweepAsync(ProgressTask task, string dataDir, Secrets secrets)
        {
            var timeline = SimulationTimeline.Read(dataDir) ?? throw new LoadTestException(
                "the sweep phase needs the simulation clock: start the system with SANMENXIA_SIMULATION_SPEED=… (docs/benchmarks.md)");
            var recorder = new PhaseRecorder("sweep", "resident state written by the day-close reminder (lateness = write − due)", 0);
            task.MaxValue = 1;
            await DayCloseSweep.RunAsync(recorder, secrets.PgConnectionString, timeline, o.SweepSpread, TimeSpan.FromSeconds(o.MaxSeconds), f => task.Value = f);
            return recorder;
        }

        private async Task<PhaseRecorder> CodeReadsAsync(ProgressTask task)
        {
            var order = Population.Permutation(_population.Count, (ulong)o.Seed * 31 + 3).Where(CanSignIn).ToArray();
            var n = (int)Math.Ceiling(order.Length * o.CodeReadShare);
            var recorder = new PhaseRecorder("code", "GET /api/residents/me/code", n);
            task.MaxValue = n;
            await BoundedRunner.RunAsync(recorder, n, o.Concurrency, TimeSpan.FromSeconds(o.MaxSeconds), async (i, ct) =>
            {
                var (status, text) = await _api.SendFastAsync(HttpMethod.Get, "api/residents/me/code", _tokens.For(order[i]), null, false, ct);
                return Classify(status, text);
            }, () => task.Increment(1));
            recorder.Extra["share"] = o.CodeReadShare;
            return recorder;
        }

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

        // ==================================================================== facts, result, report

        private async Task<Dictionary<string, object>> DatabaseFactsAsync(Secrets secrets)
        {
            var facts = new Dictionary<string, object>(StringComparer.Ordinal);
            try
            {
                await using var conn = new Npgsql.NpgsqlConnection(secrets.PgConnectionString + ";Command Timeout=120");
                await conn.OpenAsync();
                await using (var cmd = new Npgsql.NpgsqlCommand("select grain_type, count(*), coalesce(sum(length(payload)),0), coalesce(max(length(payload)),0) from orleans_grain_state group by 1 order by 2 desc", conn))
                await using (var reader = await cmd.ExecuteReaderAsync())
                {
                    var grains = new Dictionary<string, object>();
                    while (await reader.ReadAsync())
                        grains[reader.GetString(0)] = new { rows = reader.GetInt64(1), payloadMb = Math.Round(reader.GetInt64(2) / 1048576.0, 1), maxPayloadBytes = reader.GetInt32(3) };
                    facts["grainState"] = grains;
                }
                await using (var cmd = new Npgsql.NpgsqlCommand("select count(*) from orleans_reminder", conn)) facts["reminders"] = await cmd.ExecuteScalarAsync() ?? 0;
                await using (var cmd = new Npgsql.NpgsqlCommand("select pg_database_size(current_database())", conn))
                    facts["databaseMb"] = Math.Round(Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture) / 1048576.0, 1);
                await using (var cmd = new Npgsql.NpgsqlCommand("select count(*) from audit_log", conn)) facts["auditRows"] = await cmd.ExecuteScalarAsync() ?? 0;
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
            {
                facts["error"] = e.Message;
            }
            return facts;
        }

        private object BuildResult(DateTimeOffset started, TimeSpan wall, RegionSetup regions, PgBenchResult? pgbench, ProcessSampler sampler, Dictionary<string, object> database)
        {
            var clockIn = _phases.FirstOrDefault(p => p.Phase == "clockin");
            double? ratio = pgbench is { Ran: true, Tps: > 0 } && clockIn is { PerSecond: > 0 } ? Math.Round(clockIn.PerSecond / pgbench.Tps, 3) : null;
            var extrapolation = _phases.Where(p => p.UnitsPerSecond > 0).ToDictionary(p => p.Phase, p => (object)new
            {
                ratePerSecond = p.UnitsPerSecond,
                minutesFor2_63M = Math.Round(LoadTestOptions.CityPopulation / p.UnitsPerSecond / 60, 1),
                note = "linear extrapolation of the measured rate; not measured at that scale",
            });
            return new
            {
                tool = "Sanmenxia.LoadTest",
                startedAt = started,
                wallSeconds = Math.Round(wall.TotalSeconds, 1),
                machine = new
                {
                    cores = Environment.ProcessorCount,
                    memoryGb = Math.Round(MemoryGb(), 1),
                    os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                    dotnet = Environment.Version.ToString(),
                    commit = GitCommit(),
                },
                options = new
                {
                    baseUrl = o.BaseUrl.ToString(), o.Residents, villages = regions.Villages, o.Seed, o.Cohort, o.Concurrency, o.ImportChunk, o.ImportParallel,
                    o.ApplyShare, o.ClockInShare, o.CodeReadShare, o.FeverShare, o.VillageStaff, o.VillageQueries, o.MaxSeconds, o.PgBenchSeconds, o.PgBenchClients,
                    o.Smoke, phases = o.Phases.Order().ToList(),
                },
                regions,
                population = new { residents = _population.Count, households = _population.Households, withPhone = _population.AdultsWithPhone(), villages = _population.Villages.Count },
                pgbench,
                clockInToPgbenchRatio = ratio,
                phases = _phases,
                processes = _processesByPhase,
                extrapolation,
                database,
                notes = _notes,
                samples = sampler.Samples(),
            };
        }

        private async Task<(string Json, string Md)> WriteAsync(object result)
        {
            var path = o.Out ?? (o.Residents >= 1_000_000 ? "docs/benchmarks/latest.json" : "artifacts/loadtest/result.json");
            if (!Path.IsPathRooted(path)) path = Path.Combine(_root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(result, new JsonSerializerOptions(JsonSerializerOptions.Web) { WriteIndented = true }));
            var md = Path.ChangeExtension(path, ".md");
            await File.WriteAllTextAsync(md, Markdown());
            return (path, md);
        }

        private string Markdown()
        {
            var sb = new StringBuilder();
            var inv = CultureInfo.InvariantCulture;
            sb.AppendLine(inv, $"# Load test {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC: {o.Residents:N0} residents{(o.Smoke ? " (smoke)" : "")}");
            sb.AppendLine();
            sb.AppendLine(inv, $"{Environment.ProcessorCount} cores, {MemoryGb():F0} GB, .NET {Environment.Version}, commit {GitCommit() ?? "?"}; {_population.Villages.Count:N0} villages, {_population.Households:N0} households; concurrency {o.Concurrency}, import {o.ImportParallel} × {o.ImportChunk:N0} rows.");
            sb.AppendLine();
            sb.AppendLine("| phase | operation | count | seconds | ops/s | units/s | p50 ms | p90 ms | p99 ms | max ms | refused | errors |");
            sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var p in _phases)
                sb.AppendLine(inv, $"| {p.Phase}{(p.Truncated ? " (deadline)" : "")} | `{p.Operation}` | {p.Count:N0} | {p.Seconds:N1} | {p.PerSecond:N0} | {p.UnitsPerSecond:N0} | {p.P50Ms} | {p.P90Ms} | {p.P99Ms} | {p.MaxMs} | {p.Refused:N0} | {p.Errors:N0}{(p.ErrorsByKind.Count > 0 ? " (" + string.Join(", ", p.ErrorsByKind.Select(e => $"{e.Key}: {e.Value}")) + ")" : "")} |");
            sb.AppendLine();
            sb.AppendLine("| process | peak memory MB | peak RSS since start (VmHWM) MB | avg CPU % (whole run) | peak CPU % |");
            sb.AppendLine("| --- | ---: | ---: | ---: | ---: |");
            foreach (var p in _processesByPhase.GetValueOrDefault("run") ?? [])
                sb.AppendLine(inv, $"| {p.Process} ({p.Memory}) | {p.PeakRssMb:N0} | {(p.PeakHwmMb > 0 ? p.PeakHwmMb.ToString("N0", inv) : "–")} | {p.AvgCpuPercent} | {p.PeakCpuPercent} |");
            sb.AppendLine();
            sb.AppendLine("Average CPU % per phase (100 % = one core):");
            sb.AppendLine();
            var names = (_processesByPhase.GetValueOrDefault("run") ?? []).Select(p => p.Process).ToList();
            sb.AppendLine("| phase | " + string.Join(" | ", names) + " |");
            sb.AppendLine("| --- |" + string.Concat(names.Select(_ => " ---: |")));
            foreach (var (phase, list) in _processesByPhase.Where(kv => kv.Key != "run"))
                sb.AppendLine($"| {phase} | " + string.Join(" | ", names.Select(n => list.FirstOrDefault(p => p.Process == n)?.AvgCpuPercent.ToString(inv) ?? "–")) + " |");
            sb.AppendLine();
            return sb.ToString();
        }

        private void PrintSummary(object _)
        {
            var table = new Table().Border(TableBorder.Rounded).Title("[bold]Phases[/]");
            foreach (var c in new[] { "phase", "count", "s", "ops/s", "units/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "refused", "errors" }) table.AddColumn(c);
            foreach (var p in _phases)
                table.AddRow(p.Phase + (p.Truncated ? " ⏱" : ""), p.Count.ToString("N0"), p.Seconds.ToString("N1"), p.PerSecond.ToString("N0"), p.UnitsPerSecond.ToString("N0"),
                    p.P50Ms.ToString("N1"), p.P90Ms.ToString("N1"), p.P99Ms.ToString("N1"), p.MaxMs.ToString("N1"), p.Refused.ToString("N0"),
                    p.Errors == 0 ? "0" : $"[red]{p.Errors:N0}[/] " + Markup.Escape(string.Join(", ", p.ErrorsByKind.Take(3).Select(e => $"{e.Key}×{e.Value}"))));
            AnsiConsole.Write(table);
            var procs = new Table().Border(TableBorder.Rounded).Title("[bold]Processes[/]");
            foreach (var c in new[] { "process", "pid", "peak MB", "VmHWM MB", "avg CPU %", "peak CPU %" }) procs.AddColumn(c);
            foreach (var p in _processesByPhase.GetValueOrDefault("run") ?? [])
                procs.AddRow(p.Process, p.Pid.ToString(), p.PeakRssMb.ToString("N0"), p.PeakHwmMb > 0 ? p.PeakHwmMb.ToString("N0") : "–", p.AvgCpuPercent.ToString(), p.PeakCpuPercent.ToString());
            AnsiConsole.Write(procs);
            foreach (var note in _notes) AnsiConsole.MarkupLineInterpolated($"[yellow]note:[/] {note}");
        }

        // ==================================================================== helpers

        private static string FindRoot()
        {
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                    if (File.Exists(Path.Combine(dir.FullName, "Sanmenxia.Orleans.sln"))) return dir.FullName;
            return Directory.GetCurrentDirectory();
        }

        private static double MemoryGb()
        {
            try
            {
                var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
                return double.Parse(line[9..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1048576.0;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException) { return 0; }
        }

        private string? GitCommit()
        {
            try
            {
                var psi = new ProcessStartInfo("git", "rev-parse --short HEAD") { WorkingDirectory = _root, RedirectStandardOutput = true, RedirectStandardError = true };
                using var p = Process.Start(psi)!;
                var s = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit(5_000);
                return p.ExitCode == 0 ? s : null;
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException) { return null; }
        }
    }
}
