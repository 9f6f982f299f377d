using System.Text.Json;

namespace Sanmenxia.Chaos;

/// <summary>
/// Counts after the failures: recount every village and the city from the residents' stored rows (the record), and
/// compare with the villages' read model rows and with what the village grains and the city's region grain count
/// (the roll-up the dashboards show), polling until they agree or a deadline passes.
/// </summary>
public sealed partial class Drill
{
    private const string CityCode = "411200";
    private static readonly TimeSpan CountsDeadline = TimeSpan.FromSeconds(60);

    /// <summary>The counts the drill can recount exactly from stored rows (colours depend on the day being counted).</summary>
    private readonly record struct Tally(int Residents, int Applied, int OpenNeeds)
    {
        public static Tally operator +(Tally a, Tally b) => new(a.Residents + b.Residents, a.Applied + b.Applied, a.OpenNeeds + b.OpenNeeds);
        public override string ToString() => $"residents {Residents}, applied {Applied}, open needs {OpenNeeds}";
        public static Tally Of(JsonElement counts) => new(counts.GetProperty("residents").GetInt32(), counts.GetProperty("applied").GetInt32(), counts.GetProperty("openNeeds").GetInt32());
    }

    private async Task VerifyCountsAsync(IReadOnlyList<string> villages)
    {
        Say($"Recounting {villages.Count} villages and the city from the residents' stored rows; comparing with the read model and the grains (at most {CountsDeadline.TotalSeconds:0} s to converge)");
        var started = _clock.Elapsed;
        List<string> rosterOff = [], grainsOff = [];
        Tally city = default, cityGrain = default;
        while (true)
        {
            var truth = (await _store.ResidentStatesAsync(null)).Values
                .Where(r => r.State.IdNumber is not null && r.State.VillageCode.Length > 0)
                .GroupBy(r => r.State.VillageCode)
                .ToDictionary(g => g.Key, g => new Tally(g.Count(), g.Count(r => r.State.Code.IsApplied), g.Sum(r => r.State.Needs.Count(n => n.Status == Residents.NeedStatus.Open))), StringComparer.Ordinal);
            var roster = (await _store.RosterAsync())
                .Where(r => !r.Summary.Removed)
                .GroupBy(r => r.VillageCode)
                .ToDictionary(g => g.Key, g => new Tally(g.Count(), g.Count(r => r.Summary.Code.IsApplied), g.Sum(r => r.Summary.OpenNeeds)), StringComparer.Ordinal);
            city = truth.Values.Aggregate(default(Tally), (a, b) => a + b);
            rosterOff = [];
            grainsOff = [];
            foreach (var village in villages)
            {
                var expected = truth.GetValueOrDefault(village);
                var inRoster = roster.GetValueOrDefault(village);
                if (inRoster != expected) rosterOff.Add($"village {village}: rows say {expected}; read model {inRoster}");
                var inGrain = Tally.Of(await _api.GetJsonPatientlyAsync($"api/villages/{village}/counts", _admin, TimeSpan.FromSeconds(30)));
                if (inGrain != expected) grainsOff.Add($"village {village}: rows say {expected}; village grain {inGrain}");
            }
            var cityCounts = await _api.GetJsonPatientlyAsync($"api/regions/{CityCode}/counts", _admin, TimeSpan.FromSeconds(30));
            cityGrain = Tally.Of(cityCounts.GetProperty("counts"));
            if ((rosterOff.Count == 0 && grainsOff.Count == 0 && cityGrain == city) || _clock.Elapsed - started > CountsDeadline) break;
            await Task.Delay(1000);
        }
        var took = _clock.Elapsed - started;
        Line("");
        Line($"Counts (recounted from orleans_grain_state rows, after {PhaseFigures.Seconds(took)}):");
        Line($"  city {CityCode}: rows say {city}; city region grain {cityGrain}");
        Line($"  villages: read model differs in {rosterOff.Count}, village grain differs in {grainsOff.Count} of {villages.Count}");
        foreach (var e in rosterOff.Concat(grainsOff).Take(6)) Line($"      {e}");
        Check(rosterOff.Count == 0, $"every village's read model rows agree with the residents' stored rows ({villages.Count - rosterOff.Count}/{villages.Count})");
        Check(grainsOff.Count == 0, $"every village grain's counts agree with a recount of the stored rows ({villages.Count - grainsOff.Count}/{villages.Count})");
        Check(cityGrain == city, $"the city's total agrees with a recount of the stored rows within {CountsDeadline.TotalSeconds:0} s ({cityGrain} vs {city})");
    }
}
