using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Sanmenxia.Api.Problems.Localisation;
using Sanmenxia.Api.Regions;
using Sanmenxia.Api.Security;
using Sanmenxia.Dashboard;
using Sanmenxia.Regions;
using Sanmenxia.Villages;

namespace Sanmenxia.Api.Dashboard;

/// <summary>
/// The command dashboard's live channel (/hubs/dashboard). A staff member subscribes to regions within their
/// jurisdiction; each subscription is a SignalR group "region:{code}" that this process's
/// <see cref="DashboardObserver"/> feeds from the region grains. Server → client message: "regionUpdate".
/// </summary>
[Authorize(Policy = Policies.AnyStaff)]
public sealed class DashboardHub(RegionCatalog regions, IGrainFactory grains, ILogger<DashboardHub> logger) : Hub
{
    public const string Path = "/hubs/dashboard";
    public const string UpdateMethod = "regionUpdate";
    /// <summary>How many regions one connection may watch at once (a control room shows a few side by side).</summary>
    public const int MaxSubscriptionsPerConnection = 32;

    public static string Group(string code) => "region:" + code;

    /// <summary>
    /// Starts receiving updates of a region and returns (and sends) its current snapshot. Refused with a
    /// <see cref="HubException"/> for a malformed or unknown code, or a region outside the caller's jurisdiction.
    /// </summary>
    public async Task<RegionUpdate> Subscribe(string regionCode)
    {
        if (!RegionCode.TryParse(regionCode, out var code, out var error))
            throw Refusal("invalid", $"Region code {error}.");
        var info = await regions.FindAsync(code.Value) ?? throw Refusal("unknown", $"Unknown region {code.Value}.");
        var caller = Caller.From(Context.User!);
        if (!caller.Covers(code))
            throw Refusal("forbidden", $"Region {code.Value} is outside your jurisdiction ({caller.Jurisdiction?.Value ?? "none"}).");

        var subscriptions = Subscriptions();
        if (!subscriptions.Contains(code.Value) && subscriptions.Count >= MaxSubscriptionsPerConnection)
            throw Refusal("too-many", $"At most {MaxSubscriptionsPerConnection} regions per connection; unsubscribe first.");
        // Join first, then read: an update published in between reaches the client too, and is never older
        // than the snapshot read after it (clients keep the highest version; the snapshot has version 0).
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(code.Value));
        subscriptions.Add(code.Value);
        var snapshot = await SnapshotAsync(info);
        await Clients.Caller.SendAsync(UpdateMethod, snapshot);
        logger.LogDebug("Connection {Connection} of {Subject} subscribed to {Region}", Context.ConnectionId, caller.Subject, code.Value);
        return snapshot;
    }

    /// <summary>A refusal "[kind] text", the text in the language of the connection's request (as problems are).</summary>
    private HubException Refusal(string kind, string english)
    {
        var language = Context.GetHttpContext() is { } http ? ProblemLanguages.Negotiate(http.Request) : ProblemLanguage.Chinese;
        var text = ProblemCatalog.Default.Translate(english, language)?.Text ?? english;
        return new HubException($"[{kind}] {text}");
    }

    public async Task Unsubscribe(string regionCode)
    {
        if (string.IsNullOrEmpty(regionCode) || !Subscriptions().Remove(regionCode)) return;
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, Group(regionCode));
    }

    private HashSet<string> Subscriptions()
    {
        if (Context.Items.TryGetValue(nameof(Subscriptions), out var found) && found is HashSet<string> set) return set;
        var created = new HashSet<string>(StringComparer.Ordinal);
        Context.Items[nameof(Subscriptions)] = created;
        return created;
    }

    private async Task<RegionUpdate> SnapshotAsync(RegionInfo info)
    {
        var code = info.Code.Value;
        if (info.Level == RegionLevel.Village)
            return new RegionUpdate(code, info.Name, await grains.GetGrain<IVillageGrain>(code).GetCountsAsync(), [], 0, DateTimeOffset.UtcNow);
        var grain = grains.GetGrain<IRegionGrain>(code);
        var counts = grain.GetCountsAsync();
        var children = grain.GetChildrenAsync();
        return await DashboardObserver.WithNamesAsync(new RegionUpdate(code, info.Name, await counts, await children, 0, DateTimeOffset.UtcNow), regions);
    }
}
