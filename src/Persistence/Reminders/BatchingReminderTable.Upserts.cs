using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Orleans;

namespace Sanmenxia.Persistence.Reminders;

/// <summary>The upsert queue: writer loops take what has queued and send it as one statement.</summary>
public sealed partial class BatchingReminderTable
{
    /// <summary>Completes after the statement carrying this upsert committed, with the reminder's new ETag.</summary>
    public Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(entry.ReminderName);
        // As the stock provider: a start time of unspecified kind is taken as UTC.
        var start = entry.StartAt.Kind switch
        {
            DateTimeKind.Utc => entry.StartAt,
            DateTimeKind.Local => entry.StartAt.ToUniversalTime(),
            _ => DateTime.SpecifyKind(entry.StartAt, DateTimeKind.Utc),
        };
        var request = new UpsertRequest(entry.GrainId.ToString(), entry.ReminderName, start, (long)entry.Period.TotalMilliseconds,
            unchecked((int)entry.GrainId.GetUniformHashCode()));
        if (!_upserts.Writer.TryWrite(request)) throw new ObjectDisposedException(nameof(BatchingReminderTable));
        return request.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<UpsertRequest>(_options.MaxWriteBatch);
        while (await _upserts.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _options.MaxWriteBatch && _upserts.Reader.TryRead(out var request)) batch.Add(request);
            if (batch.Count == 0) continue;
            // One row per reminder, rows in key order; a reminder's upserts stay in arrival order within its row.
            var rows = batch.GroupBy(r => (r.GrainId, r.Name))
                .Select(g => g.ToList())
                .OrderBy(g => g[0].GrainId, StringComparer.Ordinal).ThenBy(g => g[0].Name, StringComparer.Ordinal)
                .ToList();
            // A reminder PostgreSQL refuses (a zero byte in its name) fails its own callers only (BatchIsolation); a failure
            // of the statement as a whole (PostgreSQL down after the one retry) fails every caller of the batch.
            await BatchIsolation.WriteIsolatingAsync(rows, WriteRowsAsync, (failed, e) =>
            {
                _logger.LogError(e, "Reminder table: a batch of {Count} upserts failed.", failed.Sum(r => r.Count));
                foreach (var row in failed)
                    foreach (var request in row) request.Done.TrySetException(e);
            }).ConfigureAwait(false);
            batch.Clear();
        }
    }

    /// <summary>Upserts the rows in one statement (one implicit transaction) and answers their callers; throws if it failed.</summary>
    private async Task WriteRowsAsync(IReadOnlyList<List<UpsertRequest>> rows)
    {
        var n = rows.Count;
        var grains = new string[n]; var names = new string[n]; var starts = new DateTime[n];
        var periods = new long[n]; var hashes = new int[n]; var bumps = new int[n];
        for (var i = 0; i < n; i++)
        {
            var last = rows[i][^1];
            (grains[i], names[i], starts[i], periods[i], hashes[i], bumps[i]) = (last.GrainId, last.Name, last.Start, last.PeriodMs, last.Hash, rows[i].Count - 1);
        }

        var versions = await OnFreshConnectionIfDroppedAsync("upsert", async connection =>
        {
            var stored = new Dictionary<(string, string), int>(n);
            await using var command = new NpgsqlCommand(ReminderSql.Upsert, connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _serviceId });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = grains });
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = names });
            command.Parameters.Add(new NpgsqlParameter { Value = starts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = periods });
            command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = hashes });
            command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = bumps });
            await WithPreparedStatementsResetOnErrorAsync(connection, async () =>
            {
                await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
                while (await reader.ReadAsync().ConfigureAwait(false)) stored[(reader.GetString(0), reader.GetString(1))] = reader.GetInt32(2);
            }).ConfigureAwait(false);
            return stored;
        }).ConfigureAwait(false);

        // The statement ran in its own implicit transaction: reaching here means it committed.
        Statistics.RecordBatch(rows.Sum(r => r.Count), n);
        foreach (var row in rows)
        {
            if (!versions.TryGetValue((row[0].GrainId, row[0].Name), out var last))
            {
                foreach (var request in row) request.Done.TrySetException(new InvalidOperationException($"Reminder upsert returned no row for {row[0].Name}."));
                continue;
            }
            // The k upserts of one reminder get versions last-k+1 … last in arrival order, as if each had been a statement.
            for (var j = 0; j < row.Count; j++)
                row[j].Done.TrySetResult((last - (row.Count - 1 - j)).ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// When PostgreSQL refuses a statement (a zero byte in a name, at Bind), drops the connection's auto-prepared
    /// statements before it returns to the pool, as <c>BatchingGrainStorage</c> does (npgsql/npgsql#6391).
    /// </summary>
    private async Task WithPreparedStatementsResetOnErrorAsync(NpgsqlConnection connection, Func<Task> run)
    {
        try
        {
            await run().ConfigureAwait(false);
        }
        catch (PostgresException)
        {
            try { connection.UnprepareAll(); }
            catch (Exception e) { _logger.LogWarning("Reminder table could not reset prepared statements after an error: {Error}", e.Message); }
            throw;
        }
    }

    private sealed class UpsertRequest(string grainId, string name, DateTime start, long periodMs, int hash)
    {
        public string GrainId { get; } = grainId;
        public string Name { get; } = name;
        public DateTime Start { get; } = start;
        public long PeriodMs { get; } = periodMs;
        public int Hash { get; } = hash;
        public TaskCompletionSource<string?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
