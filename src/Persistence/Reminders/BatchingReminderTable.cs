using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans;
using Orleans.Runtime;

namespace Sanmenxia.Persistence.Reminders;

/// <summary>
/// Orleans' reminder table on PostgreSQL with group commit: concurrent <see cref="UpsertRow"/> calls are queued and sent
/// as one <c>INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE … RETURNING</c> in one implicit transaction, and each
/// caller completes only after that statement committed, with its reminder's new ETag. Reads and removes are single
/// statements. Same table, columns and versions as the stock ADO.NET reminder provider (<c>orleans_reminder</c>, migration
/// 0003), so silos on either provider read and remove each other's rows.
/// <para>
/// Several upserts of the same reminder in one batch become one row (the last one's values, as if they had run one after
/// the other in arrival order) and each caller gets the ETag it would have got alone: versions v+1 … v+k, the last
/// caller's being the row's. A statement that fails on a dropped pooled connection (PostgreSQL restarted) is run once
/// more on a fresh connection after the pool is cleared: an upsert of the same rows again leaves the same rows (only the
/// version moves further, and the callers get the current one), a read is harmless, and a repeated remove that answers
/// false makes the reminder service check whether the row is gone.
/// </para>
/// </summary>
public sealed partial class BatchingReminderTable : IReminderTable, IAsyncDisposable
{
    private readonly string _serviceId;
    private readonly BatchingReminderTableOptions _options;
    private readonly NpgsqlDataSource _db;
    private readonly ILogger _logger;
    private readonly Channel<UpsertRequest> _upserts = Channel.CreateUnbounded<UpsertRequest>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] _writers;
    private readonly CancellationTokenSource _stopping = new();

    public BatchingReminderTable(string serviceId, BatchingReminderTableOptions options, NpgsqlDataSource db, ILogger<BatchingReminderTable> logger)
    {
        _serviceId = serviceId;
        _options = options;
        _db = db;
        _logger = logger;
        _writers = Enumerable.Range(0, Math.Max(1, options.WriteConcurrency)).Select(_ => Task.Run(WriteLoopAsync))
            .Append(Task.Run(ReportLoopAsync)).ToArray();
    }

    /// <summary>Counters since start: how well the upserts batch under the current load.</summary>
    public BatchingReminderTableStatistics Statistics { get; } = new();

    /// <summary>Nothing to prepare: the schema is the migrations' (0003), applied before any silo starts.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public async Task<ReminderTableData> ReadRows(GrainId grainId) =>
        new(await ReadAsync(ReminderSql.ReadGrain, grainId.ToString()).ConfigureAwait(false));

    public async Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        var (b, e) = ((int)begin, (int)end);
        return new(await ReadAsync(b < e ? ReminderSql.ReadRange : ReminderSql.ReadRangeWrapped, b, e).ConfigureAwait(false));
    }

    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) =>
        (await ReadAsync(ReminderSql.ReadOne, grainId.ToString(), reminderName).ConfigureAwait(false)).FirstOrDefault();

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        // An ETag this table never handed out (not a version number) matches no row.
        if (!int.TryParse(eTag, NumberStyles.Integer, CultureInfo.InvariantCulture, out var version)) return Task.FromResult(false);
        return OnFreshConnectionIfDroppedAsync("remove", async connection =>
        {
            await using var command = new NpgsqlCommand(ReminderSql.Delete, connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _serviceId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainId.ToString() });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = reminderName });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
            return await command.ExecuteNonQueryAsync().ConfigureAwait(false) > 0;
        });
    }

    public Task TestOnlyClearTable() => OnFreshConnectionIfDroppedAsync("clear", async connection =>
    {
        await using var command = new NpgsqlCommand(ReminderSql.DeleteAll, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _serviceId });
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    });

    private Task<List<ReminderEntry>> ReadAsync(string sql, params object[] arguments) => OnFreshConnectionIfDroppedAsync("read", async connection =>
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _serviceId });
        foreach (var argument in arguments) command.Parameters.Add(new NpgsqlParameter { Value = argument });
        var rows = new List<ReminderEntry>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            rows.Add(new ReminderEntry
            {
                GrainId = GrainId.Parse(reader.GetString(0)),
                ReminderName = reader.GetString(1),
                StartAt = DateTime.SpecifyKind(reader.GetDateTime(2), DateTimeKind.Utc),
                Period = TimeSpan.FromMilliseconds(reader.GetInt64(3)),
                ETag = reader.GetInt32(4).ToString(CultureInfo.InvariantCulture),
            });
        }
        return rows;
    });

    /// <summary>
    /// Runs <paramref name="run"/> on a pooled connection under the writers' retry rule (StaleConnections.RunRepeatableAsync):
    /// once more after a dropped connection, up to three attempts after a deadlock. Every statement here may be repeated:
    /// an upsert leaves the same row, a remove that answers false makes Orleans check whether the row is gone.
    /// </summary>
    private Task<T> OnFreshConnectionIfDroppedAsync<T>(string what, Func<NpgsqlConnection, Task<T>> run) =>
        StaleConnections.RunRepeatableAsync(_db, _logger, $"Reminder table {what}", async () =>
        {
            await using var connection = await _db.OpenConnectionAsync().ConfigureAwait(false);
            return await run(connection).ConfigureAwait(false);
        }, Statistics.RecordRetry);

    // One line a minute while there are upserts, so the batch sizes under real load are on record in the silo log.
    private async Task ReportLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        long lastUpserts = 0, lastStatements = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                var (u, s) = (Statistics.Upserts, Statistics.Statements);
                if (u == lastUpserts) continue;
                _logger.LogInformation("Reminder table: last minute {Upserts} upserts in {Statements} statements (avg {Avg:F1}); total {Statistics}",
                    u - lastUpserts, s - lastStatements, s == lastStatements ? 0 : (double)(u - lastUpserts) / (s - lastStatements), Statistics);
                (lastUpserts, lastStatements) = (u, s);
            }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        // Write what is queued (the silo has stopped its reminder service by now); the data source belongs to the host.
        _upserts.Writer.TryComplete();
        _stopping.Cancel();
        try { await Task.WhenAll(_writers).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false); }
        catch (TimeoutException) { _logger.LogWarning("Reminder table stopped with upserts still in flight."); }
        _stopping.Dispose();
    }
}
