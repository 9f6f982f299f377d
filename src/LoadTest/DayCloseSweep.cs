using System.Globalization;
using Npgsql;
using Sanmenxia.Regions;

namespace Sanmenxia.LoadTest;

/// <summary>
/// The simulation clock the system runs on, read from the data folder's simulation.env (written by
/// <c>SANMENXIA_SIMULATION_SPEED=… ./sanmenxia up</c>): simulated time = anchor + (real − real anchor) × speed.
/// </summary>
public sealed record SimulationTimeline(double Speed, DateTimeOffset AnchorReal, DateTimeOffset AnchorSimulated)
{
    public static SimulationTimeline? Read(string dataDir)
    {
        var path = Path.Combine(dataDir, "simulation.env");
        if (!File.Exists(path)) return null;
        var values = File.ReadAllLines(path).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim());
        if (!values.TryGetValue("SIM_SPEED", out var speed) || !values.TryGetValue("SIM_ANCHOR_REAL", out var real) || !values.TryGetValue("SIM_ANCHOR_SIM", out var sim)) return null;
        return new SimulationTimeline(double.Parse(speed, CultureInfo.InvariantCulture),
            DateTimeOffset.FromUnixTimeSeconds(long.Parse(real, CultureInfo.InvariantCulture)),
            DateTimeOffset.FromUnixTimeSeconds(long.Parse(sim, CultureInfo.InvariantCulture)));
    }

    public DateTimeOffset Simulated(DateTimeOffset real) => AnchorSimulated + (real - AnchorReal) * Speed;
    public DateTimeOffset Real(DateTimeOffset simulated) => AnchorReal + (simulated - AnchorSimulated) / Speed;

    /// <summary>The next midnight in Sanmenxia (UTC+8, no daylight saving) after the simulated instant.</summary>
    public static DateTimeOffset NextMidnight(DateTimeOffset simulated)
    {
        var local = simulated.ToOffset(TimeSpan.FromHours(8));
        return new DateTimeOffset(local.Date.AddDays(1), TimeSpan.FromHours(8));
    }
}

/// <summary>
/// Observes the day close: after midnight each village's day roll (at <see cref="DayRollSpread.Offset"/> of its code)
/// wakes the residents whose code changes colour or who have something else due, a few at a time within each silo's
/// bound, and each writes its state. The watcher waits for the next simulated midnight, then reads from PostgreSQL which
/// resident states were written since and when. Each write's lateness is its commit time minus its village's day roll,
/// so the histogram says how long the paced close takes behind the schedule, and the last write says when it was done.
/// Residents the close does not wake are not written and cannot be seen (nothing happens to them at midnight).
/// </summary>
public static class DayCloseSweep
{
    public static async Task RunAsync(PhaseRecorder recorder, string connectionString, SimulationTimeline timeline, TimeSpan spreadWindow,
        TimeSpan deadline, Action<double> progress, CancellationToken ct = default)
    {
        var until = DateTimeOffset.UtcNow + deadline;
        var midnightSim = SimulationTimeline.NextMidnight(timeline.Simulated(DateTimeOffset.UtcNow));
        var midnight = timeline.Real(midnightSim);
        var spreadReal = DayRollSpread.Window(spreadWindow) / timeline.Speed;
        recorder.Extra["simulationSpeed"] = timeline.Speed;
        recorder.Extra["midnightSimulated"] = midnightSim.ToString("O");
        recorder.Extra["midnightReal"] = midnight.ToString("O");
        recorder.Extra["spreadRealSeconds"] = Math.Round(spreadReal.TotalSeconds, 1);
        if (midnight > until) throw new LoadTestException($"the next simulated midnight is at {midnight:O}, after this phase's deadline");

        // Wait for midnight (real time), showing the wait as progress.
        var waitFrom = DateTimeOffset.UtcNow;
        while (DateTimeOffset.UtcNow < midnight)
        {
            progress(Math.Min(0.5, 0.5 * (DateTimeOffset.UtcNow - waitFrom) / (midnight - waitFrom)));
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, Math.Max(10, (midnight - DateTimeOffset.UtcNow).TotalMilliseconds))), ct);
        }
        recorder.MarkStarted();

        await using var db = NpgsqlDataSource.Create(connectionString + ";Command Timeout=300");
        var samples = new List<object>();
        // Progress from PostgreSQL's cumulative row counters of the grain-state table (rows inserted and updated: the
        // residents' writes, and the few of villages and checkpoints), read once a second at no cost. Counting the rows
        // written since midnight instead scans the 3 GB table: at the city that query took 12 s and two parallel workers,
        // a core and a half taken from the system it measured (session 9). The exact count is taken once, at the end.
        var baseline = await GrainStateWritesAsync(db, ct);
        long count = 0, last = -1;
        var lastGrowth = DateTimeOffset.UtcNow;
        // Poll once a second until the spread window is over and the count has stopped growing for 15 s.
        while (DateTimeOffset.UtcNow < until)
        {
            count = await GrainStateWritesAsync(db, ct) - baseline;
            var now = DateTimeOffset.UtcNow;
            samples.Add(new { secondsAfterMidnight = Math.Round((now - midnight).TotalSeconds, 1), grainStateWrites = count });
            if (count != last) { last = count; lastGrowth = now; }
            progress(0.5 + 0.5 * Math.Min(1, (now - midnight) / (spreadReal + TimeSpan.FromSeconds(15))));
            if (now > midnight + spreadReal && now - lastGrowth > TimeSpan.FromSeconds(15)) break;
            await Task.Delay(1000, ct);
        }
        recorder.Truncated = DateTimeOffset.UtcNow >= until;

        // Lateness of every write against its village's day roll, the exact count and the last write.
        DateTimeOffset? lastWrite = null;
        await using (var command = db.CreateCommand(
            "select v.village_code, g.modified_at from orleans_grain_state g join village_resident v on v.resident_key = g.grain_id_extension " +
            "where g.grain_type = 'resident' and g.modified_at >= $1"))
        {
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = midnight });
            await using var reader = await command.ExecuteReaderAsync(ct);
            count = 0;
            while (await reader.ReadAsync(ct))
            {
                var at = reader.GetFieldValue<DateTimeOffset>(1);
                var due = midnight + DayRollSpread.Offset(reader.GetString(0), spreadWindow) / timeline.Speed;
                recorder.RecordLatency(at - due, Outcome.Ok);
                count++;
                if (lastWrite is null || at > lastWrite) lastWrite = at;
            }
        }
        recorder.Stop();
        if (lastWrite is { } end) recorder.Duration = end - midnight;
        var sweepSeconds = lastWrite is { } w ? (w - midnight).TotalSeconds : 0;
        recorder.Extra["residentWrites"] = count;
        recorder.Extra["lastWriteSecondsAfterMidnight"] = Math.Round(sweepSeconds, 1);
        recorder.Extra["writesPerSecondOverSweep"] = sweepSeconds > 0 ? Math.Round(count / sweepSeconds, 1) : 0;
        recorder.Extra["samples"] = samples;
    }

    /// <summary>Rows inserted and updated in the grain-state table since the statistics were reset (cumulative).</summary>
    private static async Task<long> GrainStateWritesAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var command = db.CreateCommand("select coalesce(sum(n_tup_ins + n_tup_upd), 0)::bigint from pg_stat_user_tables where relname = 'orleans_grain_state'");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
