using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sanmenxia.IntegrationTests.Cluster;
using Sanmenxia.IntegrationTests.Postgres;
using Sanmenxia.Persistence;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Regions;
using Sanmenxia.Tickets;

namespace Sanmenxia.IntegrationTests.Tickets;

/// <summary>
/// The tickets read model on PostgreSQL (migration 0008): the version guard, and the queues and figures computed by SQL
/// equal to what the in-memory double computes over the same rows (so the API tests on memory providers speak for both).
/// Then a ticket grain on a real PostgreSQL-backed silo writes its row.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TicketPostgresTests(PostgresFixture postgres)
{
    private static readonly DateTimeOffset T0 = new(2020, 2, 1, 0, 0, 0, TimeSpan.FromHours(8));
    private static readonly string[] Regions = ["411202001001", "411202001002", "411202002001", "411203001001", "411202", "411200"];
    private static readonly string[] Departments = ["health-commission", "transport"];

    /// <summary>Consistent rows in every state over five days (whole seconds: PostgreSQL keeps microseconds).</summary>
    private static List<TicketRow> Rows(int count)
    {
        var random = new Random(14);
        var rows = new List<TicketRow>();
        for (var i = 1; i <= count; i++)
        {
            var created = T0.AddSeconds(random.Next(0, 5 * 86_400));
            var state = (TicketState)random.Next(0, 8);
            var accepted = state is TicketState.Received or TicketState.Rejected ? (DateTimeOffset?)null : created.AddSeconds(random.Next(60, 10_000));
            var rejected = state == TicketState.Rejected ? created.AddSeconds(random.Next(60, 10_000)) : (DateTimeOffset?)null;
            var closed = state == TicketState.Closed ? accepted!.Value.AddSeconds(random.Next(3_600, 300_000)) : (DateTimeOffset?)null;
            var open = state is not (TicketState.Closed or TicketState.Rejected);
            var due = open ? created.AddSeconds(random.Next(3_600, 200_000)) : (DateTimeOffset?)null;
            var overdue = open && random.Next(3) == 0;
            var level = overdue ? random.Next(0, 3) : 0;
            var assigned = state is TicketState.Dispatched or TicketState.Handled or TicketState.Closed && random.Next(2) == 0;
            var village = random.Next(2) == 0;
            var region = Regions[random.Next(Regions.Length)];
            rows.Add(new TicketRow(TicketNumbers.Format(DateOnly.FromDateTime(created.Date), i), state, (TicketKind)random.Next(0, 6),
                random.Next(2) == 0 ? null : (LeadCategory)random.Next(1, 11), (TicketSource)random.Next(0, 4), region,
                assigned ? village ? AssigneeKind.Village : AssigneeKind.Department : null,
                assigned ? village ? "411202001001" : Departments[random.Next(2)] : null,
                overdue, overdue ? due : null, level, level > 0 ? region[..Math.Min(9, region.Length)] : null, due, created,
                closed ?? rejected ?? accepted ?? created, accepted, rejected, closed, 1 + random.Next(5)));
        }
        return rows;
    }

    [Fact]
    public async Task Queues_and_figures_in_SQL_equal_the_in_memory_double_and_the_newest_version_wins()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("tickets_store");
        await using var db = NpgsqlDataSource.Create(connectionString);
        var sql = new PostgresTicketStore(db, NullLogger<PostgresTicketStore>.Instance);
        var memory = new InMemoryTicketStore();
        foreach (var row in Rows(400))
        {
            await sql.UpsertAsync(row);
            await memory.UpsertAsync(row);
        }

        // Versions decide: an older or repeated write changes nothing, a newer one replaces the row.
        var first = (await sql.GetAsync(TicketNumbers.Format(DateOnly.FromDateTime(T0.Date), 1)))!;
        await sql.UpsertAsync(first with { State = TicketState.Closed, Version = first.Version });
        await sql.UpsertAsync(first with { State = TicketState.Closed, Version = first.Version - 1 });
        Assert.Equal(first, await sql.GetAsync(first.Number));
        var newer = first with { State = TicketState.Supervision, Overdue = true, EscalationLevel = 2, EscalatedTo = "411202", Version = first.Version + 1 };
        await sql.UpsertAsync(newer);
        await memory.UpsertAsync(newer);
        Assert.Equal(newer, await sql.GetAsync(first.Number));
        Assert.Null(await sql.GetAsync("12345-20200101-000001"));

        var now = T0.AddDays(3);
        var queries = new List<TicketQueueQuery>
        {
            new(now, Take: 1000),
            new(now, RegionPrefix: "4112", Take: 1000),
            new(now, RegionPrefix: "411202001", Take: 1000),
            new(now, RegionPrefix: "411203", State: TicketState.Dispatched, Take: 1000),
            new(now, Department: "transport", Take: 1000),
            new(now, Village: "411202001001", Take: 1000),
            new(now, RegionPrefix: "411202", EscalatedOnly: true, Take: 1000),
        };
        foreach (var query in queries)
        {
            var expected = await memory.QueueAsync(query);
            Assert.NotEmpty(expected);
            Assert.Equal(expected.Select(r => r.Number), (await sql.QueueAsync(query)).Select(r => r.Number));

            // Keyset pages of 7 give the same sequence.
            var paged = new List<string>();
            TicketCursor? after = null;
            while (true)
            {
                var page = await sql.QueueAsync(query with { Take = 7, After = after });
                paged.AddRange(page.Select(r => r.Number));
                if (page.Count < 7) break;
                after = new TicketCursor(page[^1].OverdueAt(now), page[^1].DueAt!.Value, page[^1].Number);
            }
            Assert.Equal(expected.Select(r => r.Number), paged);
        }
        var all = await sql.QueueAsync(queries[0]);
        Assert.All(all, r => Assert.True(r.IsOpen));
        Assert.Equal(all.OrderBy(r => r.OverdueAt(now) ? 0 : 1).ThenBy(r => r.DueAt).Select(r => r.Number), all.Select(r => r.Number));

        var days = Enumerable.Range(0, 7).Select(d => new TicketWindow(T0.AddDays(d), T0.AddDays(d + 1))).Append(new TicketWindow(T0, T0.AddDays(7))).ToList();
        foreach (var prefix in new[] { "4112", "411202", "411202001001", "999" })
        {
            var expected = await memory.FiguresAsync(prefix, days, now);
            var actual = await sql.FiguresAsync(prefix, days, now);
            Assert.Equal(days.Count, actual.Count);
            for (var i = 0; i < days.Count; i++)
            {
                Assert.Equal(expected[i] with { ClosingRate = null, MedianHoursToClose = null, P90HoursToClose = null },
                    actual[i] with { ClosingRate = null, MedianHoursToClose = null, P90HoursToClose = null });
                AssertClose(expected[i].ClosingRate, actual[i].ClosingRate);
                AssertClose(expected[i].MedianHoursToClose, actual[i].MedianHoursToClose);
                AssertClose(expected[i].P90HoursToClose, actual[i].P90HoursToClose);
            }
        }
        var city = (await sql.FiguresAsync("4112", days, now))[^1];
        Assert.True(city.Received > 300 && city.Closed > 0 && city.Open > 0 && city.Overdue > 0 && city.MedianHoursToClose > 0, city.ToString());
        Assert.True(city.P90HoursToClose >= city.MedianHoursToClose);
    }

    private static void AssertClose(double? expected, double? actual)
    {
        Assert.Equal(expected is null, actual is null);
        if (expected is { } e) Assert.Equal(e, actual!.Value, 6);
    }

    [Fact]
    public async Task A_ticket_grain_on_a_PostgreSQL_silo_writes_its_row_on_every_change()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("tickets_grain");
        await using var host = await SanmenxiaHost.StartAsync(connectionString, "tickets-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.IsType<PostgresTicketStore>(host.Services.GetRequiredService<ITicketStore>());
        var store = host.Services.GetRequiredService<ITicketStore>();

        var number = await host.Grains.GetGrain<ITicketNumberGrain>("20200201").NextAsync();
        Assert.Equal("12345-20200201-000001", number);
        Assert.Equal("12345-20200201-000002", await host.Grains.GetGrain<ITicketNumberGrain>("20200201").NextAsync());
        var grain = host.Grains.GetGrain<ITicketGrain>(number);
        var created = await grain.CreateAsync(new NewTicket(TicketSource.HotlineCall, TicketKind.Help, null,
            new TicketLocation(RegionCode.Parse("411202001001"), "湖滨区某小区"), "独居老人缺药", null, null, new TicketActor("op", "hotline")));
        var row = (await store.GetAsync(number))!;
        Assert.Equal((TicketState.Received, created.Version), (row.State, row.Version));
        Assert.True((created.DueAt!.Value - row.DueAt!.Value).Duration() < TimeSpan.FromMicroseconds(1)); // PostgreSQL keeps microseconds

        var accepted = (await grain.ApplyAsync(TicketCommand.Accept(), new TicketActor("op", "hotline"))).Ticket!;
        var dispatched = (await grain.ApplyAsync(TicketCommand.Dispatch(TicketAssignee.Village(RegionCode.Parse("411202001001"))), new TicketActor("op", "hotline"))).Ticket!;
        Assert.True(dispatched.Version > accepted.Version);
        row = (await store.GetAsync(number))!;
        Assert.Equal((TicketState.Dispatched, AssigneeKind.Village, "411202001001", dispatched.Version), (row.State, row.AssigneeKind!.Value, row.Assignee, row.Version));
        var refused = await grain.ApplyAsync(TicketCommand.Close(), new TicketActor("op", "hotline"));
        Assert.Equal(TicketWorkflow.IllegalTransition, refused.Refusal!.Code);
        Assert.Equal(dispatched.Version, (await store.GetAsync(number))!.Version);
    }
}
