using System.Globalization;

namespace Sanmenxia.Chaos;

/// <summary>
/// Verification from the database rows, never through the API: every acknowledged write is in the resident's stored
/// grain state, no write ran after the client was told it failed (late execution), and the cohort's villages' day close
/// closed their days in the stored state with nobody calling those residents. Counts: Drill.Counts.cs.
/// </summary>
public sealed partial class Drill
{
    /// <summary>How far a write's stored time may lie after its failed reply before it counts as executed late (clock mapping error).</summary>
    private static readonly TimeSpan LateSlack = TimeSpan.FromMilliseconds(500);

    private async Task VerifyStoreAsync()
    {
        Say("Verifying every acknowledged write against the residents' stored grain state (orleans_grain_state rows, read directly)");
        var everyone = _load.Concat(_cohort).ToList();
        var rows = await _store.ResidentStatesAsync(everyone.Select(r => r.Key).ToList());
        int acked = 0, lost = 0, unacked = 0, storedBeforeReply = 0, late = 0, lateNeeds = 0, clockChecked = 0, clockWrong = 0, missingRows = 0;
        var examples = new List<string>();
        var lateExamples = new List<string>();
        foreach (var r in everyone)
        {
            if (!rows.TryGetValue(r.Key, out var row)) { missingRows++; examples.Add($"resident {r.Index} ({r.Key}): no stored state row"); continue; }
            var stored = row.State.Needs.GroupBy(n => n.Detail).ToDictionary(g => g.Key, g => g.Min(n => n.CreatedAt), StringComparer.Ordinal);
            var missing = r.AcknowledgedNeeds.Where(d => !stored.ContainsKey(d)).ToList();
            acked += r.AcknowledgedNeeds.Count;
            lost += missing.Count;
            if (missing.Count > 0) examples.Add($"resident {r.Index} ({r.Key}) lost {string.Join(", ", missing.Take(3))}");
            unacked += r.UnacknowledgedNeeds.Count;
            foreach (var failed in r.UnacknowledgedNeeds)
            {
                if (!stored.TryGetValue(failed.Detail, out var createdAt)) continue;
                var executedAt = DrillTimeOf(createdAt);
                if (executedAt > failed.End + LateSlack)
                {
                    late++;
                    lateNeeds++;
                    lateExamples.Add($"need {failed.Detail}: answered {Describe(failed)} at {failed.End.TotalSeconds:0.00} s, executed at {executedAt.TotalSeconds:0.00} s ({(executedAt - failed.End).TotalSeconds:0.0} s later)");
                }
                else storedBeforeReply++;
            }
            if (r.LastAcknowledgedClockIn >= 0)
            {
                clockChecked++;
                // The last acknowledged reading, or a later attempt that failed on the way back but was written.
                var allowed = r.ClockIns.Skip(r.LastAcknowledgedClockIn).ToHashSet();
                var report = row.State.SelfReport;
                if (report?.Temperature is not { } value || !allowed.Contains(value))
                {
                    clockWrong++;
                    examples.Add($"resident {r.Index}: stored temperature {report?.Temperature} is not the last acknowledged clock-in {r.ClockIns[r.LastAcknowledgedClockIn]}");
                }
                else if (LateClockIn(r, value, DrillTimeOf(report.UpdatedAt)) is { } lateClockIn)
                {
                    late++;
                    lateExamples.Add(lateClockIn);
                }
            }
        }
        Line("");
        Line("Store (orleans_grain_state rows, decoded; no grain was asked):");
        Line($"  acknowledged needs {acked}: lost {lost}; failed need requests {unacked}: stored before their failed reply {storedBeforeReply}, executed after it (late) {lateNeeds}");
        Line($"  clock-ins: {clockChecked} residents checked, last acknowledged reading missing for {clockWrong}");
        Line($"  late execution (a write answered 503/timeout that ran afterwards, needs and clock-ins): {late}");
        foreach (var e in examples.Take(8)) Line($"      {e}");
        foreach (var e in lateExamples.Take(5)) Line($"      late: {e}");
        Check(missingRows == 0, $"every resident has a stored state row ({everyone.Count - missingRows}/{everyone.Count})");
        Check(acked > 0 && lost == 0, $"zero acknowledged needs lost, read from the stored rows ({lost} of {acked})");
        Check(clockWrong == 0, $"every resident's last acknowledged clock-in is in its stored row ({clockWrong} wrong of {clockChecked})");
        Check(late == 0, $"no write executed after its client was told it failed (late execution: {late})");
    }

    /// <summary>The stored reading came from a failed attempt whose reply ended before the stored time: it ran late.</summary>
    private static string? LateClockIn(DrillResident r, decimal stored, TimeSpan executedAt)
    {
        for (var i = r.ClockIns.Count - 1; i > r.LastAcknowledgedClockIn; i--)
        {
            if (r.ClockIns[i] != stored) continue;
            if (i < r.ClockInFailures.Count && r.ClockInFailures[i] is { } failed && executedAt > failed.End + LateSlack)
                return $"clock-in {stored.ToString(CultureInfo.InvariantCulture)} of resident {r.Index}: answered {Describe(failed)} at {failed.End.TotalSeconds:0.00} s, executed at {executedAt.TotalSeconds:0.00} s";
            return null;
        }
        return null;
    }

    private static string Describe(FailedWrite f) => f.Outcome == Outcome.ConnectionError ? "a connection error" : f.Status.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The cohort applied just before the failure and is never called again. Their villages' day close alone can close
    /// their days (docs/reminders.md): at the second midnight their codes turn yellow, so the village wakes them and the
    /// stored state's <c>ClosedThrough</c> must reach the day after the application. Read from the rows without touching
    /// the grains, so nothing else closes the days; with the day close broken (no day-roll reminder, a settle that never
    /// runs) this check fails.
    /// </summary>
    private async Task VerifyRemindersAsync()
    {
        if (_cohort.Count == 0 || _cohortAppliedAt is not { } appliedAt) return;
        if (!_simulated)
        {
            Line("  (reminder check skipped: the system runs in real time; ./sanmenxia chaos starts it with SANMENXIA_SIMULATION_SPEED)");
            return;
        }
        var day = TimeSpan.FromSeconds(86400 / _speed);
        var deadline = appliedAt + day * 2.5 + TimeSpan.FromSeconds(20);
        Say($"Waiting (at most {Math.Max(0, (deadline - _clock.Elapsed).TotalSeconds):0} s more) for the cohort's {_cohort.Count} residents' days to be closed by their villages in the stored state (no caller)");
        var keys = _cohort.Select(r => r.Key).ToList();
        int closed, yellow, applied;
        while (true)
        {
            var rows = await _store.ResidentStatesAsync(keys);
            var codes = rows.Values.Select(r => r.State.Code).ToList();
            applied = codes.Count(c => c.AppliedOn is not null);
            closed = codes.Count(c => c.AppliedOn is { } on && c.ClosedThrough is { } through && through >= on.AddDays(1));
            yellow = codes.Count(c => c.BaseColour is HealthCode.CodeColour.Yellow or HealthCode.CodeColour.Red);
            if (closed == keys.Count || _clock.Elapsed > deadline) break;
            await Task.Delay(1000);
        }
        var checkedAfter = _clock.Elapsed - appliedAt;
        Line($"  reminder cohort: {closed}/{keys.Count} stored states closed the day after their application ({applied} applied; {yellow} turned yellow), checked {PhaseFigures.Seconds(checkedAfter)} after they applied; a simulated day is {day.TotalSeconds:0.#} s");
        Check(closed == keys.Count, $"the villages' day close reached every cohort resident with no caller, the failed silo's included (stored ClosedThrough ≥ applied day + 1: {closed}/{keys.Count})");
    }

    /// <summary>Maps a time the system stored (simulated in drills) to the drill's stopwatch, from the /api/time reading at the start.</summary>
    private TimeSpan DrillTimeOf(DateTimeOffset systemTime) => _systemTimeAt + (systemTime - _systemTimeOrigin) / _speed;
}
