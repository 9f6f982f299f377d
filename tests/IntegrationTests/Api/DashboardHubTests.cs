using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Sanmenxia.Dashboard;

namespace Sanmenxia.IntegrationTests.Api;

/// <summary>
/// The command dashboard's push path end to end in one process: resident → village → township → county →
/// city region grains → notifier → this API's observer → SignalR group → a .NET SignalR client.
/// Every wait is a read from the update channel with a deadline; nothing sleeps.
/// </summary>
[Collection("api")]
public sealed class DashboardHubTests(ApiFactory factory)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private async Task<(HubConnection Connection, Channel<RegionUpdate> Updates)> ConnectAsync(string? token)
    {
        _ = factory.Server; // make sure the test server is up
        var updates = Channel.CreateUnbounded<RegionUpdate>();
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(factory.Server.BaseAddress, "hubs/dashboard"), o =>
            {
                o.Transports = HttpTransportType.LongPolling;
                o.HttpMessageHandlerFactory = _ => factory.Server.CreateHandler();
                o.Headers["Accept-Language"] = "en"; // refusals in English, as the factory's HTTP clients ask
                if (token is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        connection.On<RegionUpdate>("regionUpdate", u => updates.Writer.TryWrite(u));
        await connection.StartAsync();
        return (connection, updates);
    }

    private async Task<string> StaffTokenAsync(string role, string jurisdiction)
    {
        var client = await factory.NewStaffAsync(role, jurisdiction);
        return client.DefaultRequestHeaders.Authorization!.Parameter!;
    }

    /// <summary>Reads updates until one matches, or fails at the deadline.</summary>
    private static async Task<RegionUpdate> WaitForAsync(Channel<RegionUpdate> updates, Func<RegionUpdate, bool> match, string what)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            while (true)
            {
                var update = await updates.Reader.ReadAsync(timeout.Token);
                if (match(update)) return update;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No update within {Deadline.TotalSeconds} s: {what}");
        }
    }

    [Fact]
    public async Task Dashboard_commander_sees_the_city_township_and_village_counts_rise_when_a_resident_applies()
    {
        await factory.SeedRegionsAsync();
        var village = (await factory.VillagesAsync())[0].Code;
        var township = village[..9];
        var token = await StaffTokenAsync("commander", "411200");
        var (connection, updates) = await ConnectAsync(token);
        await using var _ = connection;

        var city = await connection.InvokeAsync<RegionUpdate>("Subscribe", "411200");
        Assert.Equal("411200", city.Code);
        Assert.Equal(6, city.Children.Count); // the six counties
        var town = await connection.InvokeAsync<RegionUpdate>("Subscribe", township);
        Assert.Contains(town.Children, c => c.Code == village);
        var own = await connection.InvokeAsync<RegionUpdate>("Subscribe", village);
        Assert.Empty(own.Children);
        // The snapshots are also sent as messages, right away.
        await WaitForAsync(updates, u => u.Code == "411200" && u.Version == 0, "the city's snapshot message");

        var before = (City: city.Counts.Applied, Town: town.Counts.Applied, Village: own.Counts.Applied);
        var resident = await new ResidentFlow(factory).SignInAsync();
        await resident.RegisterAsync(village);
        await resident.ApplyAsync();

        // The village's line reaches the township, the township's total the county and the city, each at most
        // once per roll-up interval; every level's watchers get their own update.
        RegionUpdate? cityUpdate = null, townUpdate = null, villageUpdate = null;
        await WaitForAsync(updates, u =>
        {
            if (u.Code == "411200" && u.Counts.Applied > before.City) cityUpdate = u;
            if (u.Code == township && u.Counts.Applied > before.Town) townUpdate = u;
            if (u.Code == village && u.Counts.Applied > before.Village) villageUpdate = u;
            return cityUpdate is not null && townUpdate is not null && villageUpdate is not null;
        }, "the city's, the township's and the village's applied counts rise");

        Assert.True(cityUpdate!.Version > 0);
        Assert.Equal(cityUpdate.Counts.Applied, cityUpdate.Children.Sum(c => c.Counts.Applied));
        Assert.True(cityUpdate.At <= DateTimeOffset.UtcNow && cityUpdate.At > DateTimeOffset.UtcNow - Deadline);
        Assert.True(townUpdate!.Children.Single(c => c.Code == village).Counts.Applied > before.Village);
        Assert.Empty(villageUpdate!.Children);
    }

    [Fact]
    public async Task Dashboard_county_commander_is_refused_another_county_and_unknown_regions()
    {
        await factory.SeedRegionsAsync();
        var token = await StaffTokenAsync("commander", "411202");
        var (connection, _) = await ConnectAsync(token);
        await using var __ = connection;

        var own = await connection.InvokeAsync<RegionUpdate>("Subscribe", "411202");
        Assert.Equal("411202", own.Code);

        var refused = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<RegionUpdate>("Subscribe", "411203"));
        Assert.Contains("outside your jurisdiction", refused.Message);
        var city = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<RegionUpdate>("Subscribe", "411200"));
        Assert.Contains("outside your jurisdiction", city.Message);
        var unknown = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<RegionUpdate>("Subscribe", "411202999"));
        Assert.Contains("Unknown region", unknown.Message);
        var malformed = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<RegionUpdate>("Subscribe", "abc"));
        Assert.Contains("[invalid]", malformed.Message);
    }

    [Fact]
    public async Task Dashboard_refuses_anonymous_connections()
    {
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => ConnectAsync(token: null));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }
}
