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

        await using var db = NpgsqlDataSource.Create(connectionString + ";Command Timeout=120");
        var samples = new List<object>();
        long count = 0, last = -1;
        var lastGrowth = DateTimeOffset.UtcNow;
        DateTimeOffset? lastWrite = null;
        // Poll the count once a second until the spread window is over and the count has stopped growing for 15 s.
        while (DateTimeOffset.UtcNow < until)
        {
            await using (var command = db.CreateCommand("select count(*), max(modified_at) from orleans_grain_state where grain_type = 'resident' and modified_at >= $1"))
            {
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = midnight });
                await using var reader = await command.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                count = reader.GetInt64(0);
                lastWrite = reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1);
            }
            var now = DateTimeOffset.UtcNow;
            samples.Add(new { secondsAfterMidnight = Math.Round((now - midnight).TotalSeconds, 1), residentWrites = count });
            if (count != last) { last = count; lastGrowth = now; }
            progress(0.5 + 0.5 * Math.Min(1, (now - midnight) / (spreadReal + TimeSpan.FromSeconds(15))));
            if (now > midnight + spreadReal && now - lastGrowth > TimeSpan.FromSeconds(15)) break;
            await Task.Delay(1000, ct);
        }
        recorder.Truncated = DateTimeOffset.UtcNow >= until;

        // Lateness of every write against its resident's due time.
        await using (var command = db.CreateCommand(
            "select v.village_code, g.modified_at from orleans_grain_state g join village_resident v on v.resident_key = g.grain_id_extension " +
            "where g.grain_type = 'resident' and g.modified_at >= $1"))
        {
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = midnight });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var due = midnight + DayRollSpread.Offset(reader.GetString(0), spreadWindow) / timeline.Speed;
                recorder.RecordLatency(reader.GetFieldValue<DateTimeOffset>(1) - due, Outcome.Ok);
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
}
