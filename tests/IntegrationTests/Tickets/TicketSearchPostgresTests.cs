using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sanmenxia.IntegrationTests.Postgres;
using Sanmenxia.Persistence;
using Sanmenxia.Platform.Stores;
using Sanmenxia.Tickets;

namespace Sanmenxia.IntegrationTests.Tickets;

/// <summary>
/// The Open311 search of the tickets read model on PostgreSQL (migration 0011's index): the same numbers, in the same
/// order, as the in-memory double over the same rows, for windows, kinds and statuses.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class TicketSearchPostgresTests(PostgresFixture postgres)
{
    private static readonly DateTimeOffset T0 = new(2020, 2, 1, 0, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task The_search_in_SQL_equals_the_in_memory_double()
    {
        var connectionString = await postgres.NewMigratedDatabaseAsync("tickets_search");
        await using var db = NpgsqlDataSource.Create(connectionString);
        var sql = new PostgresTicketStore(db, NullLogger<PostgresTicketStore>.Instance);
        var memory = new InMemoryTicketStore();
        var random = new Random(311);
        for (var i = 1; i <= 300; i++)
        {
            // Whole seconds (PostgreSQL keeps microseconds); some share an instant, so the number breaks the tie.
            var created = T0.AddSeconds(random.Next(0, 20) * 3_600 * 6);
            var kind = (TicketKind)random.Next(0, 6);
            var row = new TicketRow(TicketNumbers.Format(DateOnly.FromDateTime(created.Date), i), (TicketState)random.Next(0, 8), kind,
                kind == TicketKind.Report ? (LeadCategory)random.Next(1, 11) : null, TicketSource.LeadReport, "411202001001", null, null, false, null, 0, null,
                null, created, created, null, null, null, 1);
            await sql.UpsertAsync(row);
            await memory.UpsertAsync(row);
        }

        var every = Enum.GetValues<TicketKind>().Where(k => k != TicketKind.Appeal).Select(k => new TicketKindFilter(k, null)).ToList();
        var queries = new List<TicketSearchQuery>
        {
            new(T0, T0.AddDays(90), every, null, 1000),
            new(T0.AddDays(1), T0.AddDays(3), every, true, 1000),
            new(T0, T0.AddDays(90), every, false, 7),
            new(T0, T0.AddDays(90), [new(TicketKind.Report, LeadCategory.Rumour), new(TicketKind.Help, null)], null, 1000),
            new(T0.AddHours(6), T0.AddHours(6), [new(TicketKind.Report, null)], null, 1000),
            new(T0.AddDays(30), T0.AddDays(40), every, null, 1000),
        };
        foreach (var query in queries)
        {
            var expected = await memory.SearchAsync(query);
            Assert.Equal(expected, await sql.SearchAsync(query));
        }
        var all = await memory.SearchAsync(queries[0]);
        Assert.True(all.Count > 200, $"{all.Count} found");
        Assert.Equal(7, (await sql.SearchAsync(queries[2])).Count);
        Assert.NotEmpty(await sql.SearchAsync(queries[4]));
        Assert.Empty(await sql.SearchAsync(queries[5]));
    }
}
