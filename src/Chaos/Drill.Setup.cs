using System.Globalization;
using System.Text;
using System.Text.Json;
using Sanmenxia.Identity;

namespace Sanmenxia.Chaos;

/// <summary>Setup: the administrator's token, the villages, a fresh block of residents per run, their applications.</summary>
public sealed partial class Drill
{
    private async Task<string> AdminTokenAsync(Secrets secrets)
    {
        var deadline = _clock.Elapsed + TimeSpan.FromSeconds(60);
        while (true)
        {
            var reply = await _api.SendAsync(HttpMethod.Post, "api/auth/staff/login", null, new { username = secrets.AdminUsername, password = secrets.AdminPassword });
            if (reply.Outcome == Outcome.Ok) return JsonDocument.Parse(reply.Body).RootElement.GetProperty("token").GetString()!;
            if (_clock.Elapsed > deadline) throw new DrillException($"cannot sign in as {secrets.AdminUsername}: {reply.Status} {Api.Trim(reply.Body)}");
            await Task.Delay(500);
        }
    }

    private async Task<List<string>> VillagesAsync()
    {
        var counties = await _api.GetJsonAsync("api/regions?parent=411200", null);
        if (counties.GetArrayLength() == 0)
        {
            Say("No regions yet: generating the synthetic tree (seed 2020, 60 villages)");
            await _api.PostJsonAsync("api/admin/regions/generate", _admin, new { seed = 2020, villages = 60 });
            counties = await _api.GetJsonAsync("api/regions?parent=411200", null);
        }
        var villages = new List<string>();
        foreach (var county in counties.EnumerateArray())
            foreach (var township in (await _api.GetJsonAsync($"api/regions?parent={county.GetProperty("code").GetString()}", null)).EnumerateArray())
                foreach (var village in (await _api.GetJsonAsync($"api/regions?parent={township.GetProperty("code").GetString()}", null)).EnumerateArray())
                    villages.Add(village.GetProperty("code").GetString()!);
        if (villages.Count == 0) throw new DrillException("the region tree has no villages");
        villages.Sort(StringComparer.Ordinal);
        return villages;
    }

    private async Task PrepareResidentsAsync(TokenMinter minter, List<string> villages)
    {
        // A fresh block of ID numbers per run (birth date = run number), so every run registers new residents.
        var seqFile = Path.Combine(o.DataDir, "chaos.seq");
        var run = File.Exists(seqFile) && int.TryParse(File.ReadAllText(seqFile).Trim(), out var last) ? last + 1 : 1;
        await File.WriteAllTextAsync(seqFile, run.ToString(CultureInfo.InvariantCulture));
        _runId = run.ToString(CultureInfo.InvariantCulture);
        var birth = new DateOnly(1940, 1, 1).AddDays(run % 20000);
        _cohortVillage = villages[^1];
        var csv = new StringBuilder("household,name,id_number,phone,village_code,head\n");
        var all = new List<(int Index, string Key, string PhoneKey, bool Cohort)>();
        for (var i = 0; i < o.Residents + o.Cohort; i++)
        {
            var cohort = i >= o.Residents;
            var id = ResidentIdNumber.Create("411202", birth, i + 1).Value;
            var phone = PhoneNumber.Parse("135" + ((run * 1000L + i) % 100_000_000).ToString("D8", CultureInfo.InvariantCulture)).Value;
            var village = cohort ? _cohortVillage : villages[i % Math.Max(1, villages.Count - 1)];
            csv.Append(CultureInfo.InvariantCulture, $"chaos-{run}-{i},演练{i},{id},{phone},{village},true\n");
            all.Add((i, minter.Keys.ForIdNumber(id), minter.Keys.ForPhone(phone), cohort));
        }
        Say($"Run {run}: importing {all.Count} residents ({o.Residents} under load, {o.Cohort} in the reminder cohort, village {_cohortVillage})");
        var report = await _api.PostJsonAsync("api/admin/residents/import", _admin, csv: csv.ToString());
        var imported = report.GetProperty("imported").GetInt32() + report.GetProperty("alreadyRegistered").GetInt32();
        if (imported != all.Count) throw new DrillException($"import registered {imported} of {all.Count}: {Api.Trim(report.ToString())}");
        foreach (var (index, key, phoneKey, cohort) in all)
            (cohort ? _cohort : _load).Add(new DrillResident(index, key, phoneKey, minter.Resident(key, phoneKey)));

        var check = await _api.SendAsync(HttpMethod.Get, "api/residents/me", _load[0].Token);
        if (check.Outcome != Outcome.Ok) throw new DrillException($"the API refused a minted resident token ({check.Status}): is Auth__SigningKey the one the API runs with? {Api.Trim(check.Body)}");
        await ApplyAllAsync(_load);
    }

    private async Task ApplyCohortAsync()
    {
        if (_cohort.Count == 0 || _cohortAppliedAt is not null) return;
        Say($"Reminder cohort: {_cohort.Count} residents apply now and never clock in");
        await ApplyAllAsync(_cohort);
        _cohortAppliedAt = _clock.Elapsed;
    }

    private async Task ApplyAllAsync(IEnumerable<DrillResident> residents) =>
        await Parallel.ForEachAsync(residents, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (r, _) =>
        {
            var reply = await _api.SendAsync(HttpMethod.Post, "api/residents/me/apply", r.Token, new { temperature = 36.5m, honestyPledge = true });
            if (reply.Outcome != Outcome.Ok && !reply.Body.Contains("already applied", StringComparison.Ordinal))
                throw new DrillException($"resident {r.Index} could not apply: {reply.Status} {Api.Trim(reply.Body)}");
        });
}
