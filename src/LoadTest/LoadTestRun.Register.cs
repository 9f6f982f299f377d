using System.Net;
using System.Text.Json;
using Spectre.Console;

namespace Sanmenxia.LoadTest;

/// <summary>Phase "register": the population imported as CSV chunks through the administrator's import endpoint.</summary>
public sealed partial class LoadTestRun
{
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
}
