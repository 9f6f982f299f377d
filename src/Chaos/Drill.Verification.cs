using System.Text.Json;

namespace Sanmenxia.Chaos;

/// <summary>Verification: every acknowledged write read back as its resident, and the cohort's day-close reminders fired after the kill.</summary>
public sealed partial class Drill
{
    private async Task VerifyStoreAsync()
    {
        Say("Verifying every acknowledged write against the store (GET /api/residents/me as each resident)");
        int acked = 0, lost = 0, unackedStored = 0, unacked = 0, clockChecked = 0, clockWrong = 0, unreadable = 0;
        var examples = new List<string>();
        await Parallel.ForEachAsync(_load.Concat(_cohort), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (r, _) =>
        {
            JsonElement me;
            try { me = await _api.GetJsonPatientlyAsync("api/residents/me", r.Token, TimeSpan.FromSeconds(30)); }
            catch (DrillException ex) { Interlocked.Increment(ref unreadable); lock (examples) examples.Add($"resident {r.Index}: {ex.Message}"); return; }
            var stored = me.GetProperty("needs").EnumerateArray().Select(n => n.GetProperty("detail").GetString()).ToHashSet();
            var missing = r.AcknowledgedNeeds.Where(d => !stored.Contains(d)).ToList();
            Interlocked.Add(ref acked, r.AcknowledgedNeeds.Count);
            Interlocked.Add(ref lost, missing.Count);
            Interlocked.Add(ref unacked, r.UnacknowledgedNeeds.Count);
            Interlocked.Add(ref unackedStored, r.UnacknowledgedNeeds.Count(stored.Contains));
            if (missing.Count > 0) lock (examples) examples.Add($"resident {r.Index} ({r.Key}) lost {string.Join(", ", missing.Take(3))}");
            if (r.LastAcknowledgedClockIn >= 0)
            {
                Interlocked.Increment(ref clockChecked);
                // The last acknowledged reading, or a later attempt that failed on the way back but was written.
                var allowed = r.ClockIns.Skip(r.LastAcknowledgedClockIn).ToHashSet();
                var temperature = me.TryGetProperty("selfReport", out var report) && report.ValueKind == JsonValueKind.Object
                    && report.TryGetProperty("temperature", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetDecimal() : (decimal?)null;
                if (temperature is not { } value || !allowed.Contains(value))
                {
                    Interlocked.Increment(ref clockWrong);
                    lock (examples) examples.Add($"resident {r.Index}: stored temperature {temperature} is not the last acknowledged clock-in {r.ClockIns[r.LastAcknowledgedClockIn]}");
                }
            }
        });
        Line("");
        Line("Store:");
        Line($"  acknowledged needs {acked}: lost {lost}; failed need requests {unacked}, of which stored anyway {unackedStored}");
        Line($"  clock-ins: {clockChecked} residents checked, last acknowledged reading missing for {clockWrong}");
        foreach (var e in examples.Take(8)) Line($"      {e}");
        Check(unreadable == 0, $"every resident's grain reactivated with its state ({_load.Count + _cohort.Count - unreadable}/{_load.Count + _cohort.Count} readable)");
        Check(acked > 0 && lost == 0, $"zero acknowledged needs lost ({lost} of {acked})");
        Check(clockWrong == 0, $"every resident's last acknowledged clock-in is in the store ({clockWrong} wrong of {clockChecked})");
    }

    private async Task VerifyRemindersAsync()
    {
        if (_cohort.Count == 0 || _cohortAppliedAt is not { } appliedAt) return;
        if (!_simulated)
        {
            Line("  (reminder check skipped: the system runs in real time; ./sanmenxia chaos starts it with SANMENXIA_SIMULATION_SPEED)");
            return;
        }
        // Applied on day A (which counts as A's clock-in); A+1 has no clock-in, so the reminder after midnight A+2
        // turns the code yellow. Wait up to 2 simulated days and a half after the application, plus slack.
        var day = TimeSpan.FromSeconds(86400 / _speed);
        var deadline = appliedAt + day * 2.5 + TimeSpan.FromSeconds(20);
        Say($"Waiting (at most {Math.Max(0, (deadline - _clock.Elapsed).TotalSeconds):0} s more) for the cohort's day-close reminders to turn its {_cohort.Count} codes yellow");
        var keys = _cohort.Select(r => r.Key).ToHashSet();
        HashSet<string> turned = [];
        while (true)
        {
            turned = [];
            foreach (var colour in new[] { "Yellow", "Red" })
            {
                var page = await _api.GetJsonPatientlyAsync($"api/villages/{_cohortVillage}/residents?colour={colour}&take=500", _admin, TimeSpan.FromSeconds(30));
                foreach (var item in page.GetProperty("items").EnumerateArray())
                    if (item.GetProperty("residentKey").GetString() is { } k && keys.Contains(k)) turned.Add(k);
            }
            if (turned.Count == keys.Count || _clock.Elapsed > deadline) break;
            await Task.Delay(1000);
        }
        var firedAfter = _clock.Elapsed - appliedAt;
        Line($"  reminder cohort: {turned.Count}/{keys.Count} codes turned yellow by their day-close reminder (checked {PhaseFigures.Seconds(firedAfter)} after they applied; a simulated day is {day.TotalSeconds:0.#} s)");
        Check(turned.Count == keys.Count, $"day-close reminders fired for every cohort resident after the kill, including those the dead silo owned ({turned.Count}/{keys.Count})");
    }
}
