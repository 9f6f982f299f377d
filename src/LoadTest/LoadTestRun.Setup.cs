using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Sanmenxia.Regions;
using Spectre.Console;

namespace Sanmenxia.LoadTest;

/// <summary>Setup: sign in as administrator, make sure the system holds the region tree, check a minted resident token.</summary>
public sealed partial class LoadTestRun
{
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
        if (!_tokens.MatchesMinter(0, _secrets.SigningKey)) throw new LoadTestException("the pre-minted token table assembles a token different from ResidentTokenMinter's");
        var (status, body) = await _api.SendAsync(HttpMethod.Get, "api/auth/me", _tokens.Token(0));
        if (status != HttpStatusCode.OK)
            throw new LoadTestException($"the API refused a minted resident token ({(int)status}): is Auth__SigningKey in secrets.env the one the API runs with? {ApiClient.Trim(body)}");
        var me = JsonDocument.Parse(body).RootElement;
        var rk = me.TryGetProperty("residentKey", out var k) ? k.GetString() : null;
        if (rk != _tokens.ResidentKey(0)) throw new LoadTestException($"the API read resident key {rk} from a token minted for {_tokens.ResidentKey(0)}");
    }
}
