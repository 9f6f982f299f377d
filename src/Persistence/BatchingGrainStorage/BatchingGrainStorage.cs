using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.Persistence.BatchingGrainStorage;

/// <summary>
/// Grain storage on PostgreSQL with group commit: concurrent grains' writes (and clears) are queued and sent as one
/// statement in one transaction, and each caller's task completes only after that transaction has committed. Reads of
/// concurrently activating grains are batched the same way (one SELECT).
/// <para>
/// Same table, key, hashes and version semantics as the stock ADO.NET provider (<c>orleans_grain_state</c>, migration
/// 0002; <see cref="GrainStateKey"/>), so the two can be swapped on the same data. A batch is one set-based statement
/// (<see cref="WriteSql"/>) that checks each caller's version in SQL: a stale ETag or a lost first-insert race changes
/// nothing for that row and fails only that grain's write with <see cref="InconsistentStateException"/>; the others in
/// the batch commit. A state that carries village rows (<see cref="IVillageRowCarrier"/>: the resident) has them written
/// in the same statement, only if its own write happened: one commit per clock-in. A batch refused for one key's data (a zero
/// byte in a string key) is split until that key fails alone (<see cref="BatchIsolation"/>), for reads and writes. A
/// batch that fails as a whole (connection lost, PostgreSQL down) fails each of its callers with the database's own
/// exception, as the stock provider does.
/// </para>
/// </summary>
public sealed partial class BatchingGrainStorage : IGrainStorage, IAsyncDisposable
{
    private readonly string _name;
    private readonly string _serviceId;
    private readonly BatchingGrainStorageOptions _options;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly ILogger _logger;
    private readonly NpgsqlDataSource _db;
    private readonly VillageResidentRows _villageRows;
    private readonly Channel<WriteRequest> _writes = Channel.CreateUnbounded<WriteRequest>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Channel<ReadRequest> _reads = Channel.CreateUnbounded<ReadRequest>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] _workers;
    private readonly CancellationTokenSource _stopping = new();

    public BatchingGrainStorage(
        string name, string serviceId, BatchingGrainStorageOptions options, NpgsqlDataSource db, IGrainStorageSerializer serializer,
        IActivatorProvider activators, VillageResidentRows villageRows, ILogger<BatchingGrainStorage> logger)
    {
        _villageRows = villageRows;
        _name = name;
        _serviceId = serviceId;
        _options = options;
        _serializer = serializer;
        _activators = activators;
        _logger = logger;
        // The process's one data source (its two statements are constant: the data source auto-prepares them).
        _db = db;
        _workers = Enumerable.Range(0, Math.Max(1, options.WriteConcurrency)).Select(_ => Task.Run(WriteLoopAsync))
            .Concat(options.BatchReads ? Enumerable.Range(0, Math.Max(1, options.ReadConcurrency)).Select(_ => Task.Run(ReadLoopAsync)) : [])
            .Append(Task.Run(ReportLoopAsync))
            .ToArray();
    }

    /// <summary>Counters since start: how well the batching works under the current load.</summary>
    public BatchingGrainStorageStatistics Statistics { get; } = new();

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = GrainStateKey.Create(stateName, grainId);
        var (payload, version) = _options.BatchReads ? await EnqueueRead(key) : await ReadOneAsync(key);
        grainState.State = payload is null ? CreateInstance<T>() : _serializer.Deserialize<T>(new BinaryData(payload));
        grainState.ETag = version?.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = payload is not null;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = GrainStateKey.Create(stateName, grainId);
        var expected = ParseETag(grainState.ETag);
        var payload = _serializer.Serialize(grainState.State).ToArray();
        var stored = await EnqueueWrite(key, expected, payload, VillageRowsOf(grainState.State));
        ThrowIfConflict("WriteState", key, grainState.ETag, expected, stored);
        grainState.ETag = stored!.Value.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var villageRows = VillageRowsOf(grainState.State); // taken before a read below replaces the state
        // As the stock provider: a grain that never read or wrote first learns whether there is anything to clear.
        if (!grainState.RecordExists && string.IsNullOrWhiteSpace(grainState.ETag))
        {
            await ReadStateAsync(stateName, grainId, grainState);
            if (!grainState.RecordExists) return;
        }
        var key = GrainStateKey.Create(stateName, grainId);
        var expected = ParseETag(grainState.ETag);
        // Payload NULL with the current version: the row and its version stay (version + 1), so old ETags keep conflicting.
        var stored = await EnqueueWrite(key, expected, null, villageRows);
        ThrowIfConflict("ClearState", key, grainState.ETag, expected, stored);
        grainState.ETag = stored!.Value.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = false;
        grainState.State = CreateInstance<T>();
    }

    private void ThrowIfConflict(string operation, in GrainStateKey key, string? etag, int? expected, int? stored)
    {
        // Same rule as the stock provider: no new version, or the caller's own version back, means nothing was written.
        if (stored is null || stored == expected)
            throw new InconsistentStateException(
                $"Version conflict ({operation}): ServiceId={_serviceId} ProviderName={_name} GrainType={key.GrainType} GrainId={key} ETag={etag}.");
    }

    private static int? ParseETag(string? etag) => string.IsNullOrWhiteSpace(etag) ? null : int.Parse(etag, CultureInfo.InvariantCulture);

    private T CreateInstance<T>() => _activators.GetActivator<T>().Create();

    private static VillageRow[]? VillageRowsOf<T>(T state) =>
        state is IVillageRowCarrier { VillageRows: { Count: > 0 } rows } ? rows.ToArray() : null;

    private Task<int?> EnqueueWrite(GrainStateKey key, int? expected, byte[]? payload, VillageRow[]? villageRows)
    {
        var request = new WriteRequest(key, expected, payload, villageRows);
        if (!_writes.Writer.TryWrite(request)) throw new ObjectDisposedException(nameof(BatchingGrainStorage));
        return request.Done.Task;
    }

    private Task<(byte[]? Payload, int? Version)> EnqueueRead(GrainStateKey key)
    {
        var request = new ReadRequest(key);
        if (!_reads.Writer.TryWrite(request)) throw new ObjectDisposedException(nameof(BatchingGrainStorage));
        return request.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<WriteRequest>(_options.MaxWriteBatch);
        while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            long bytes = 0;
            while (batch.Count < _options.MaxWriteBatch && bytes < _options.MaxWriteBatchBytes && _writes.Reader.TryRead(out var request))
            {
                batch.Add(request);
                bytes += request.Payload?.Length ?? 0;
            }
            if (batch.Count == 0) continue;
            await WriteBatchAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private async Task WriteBatchAsync(List<WriteRequest> batch)
    {
        // Rows are locked in key order, so two batches never wait on each other crosswise; a stable sort keeps two
        // writes of the same grain (only possible from duplicate activations) in arrival order.
        var rows = batch.Count == 1 ? batch : batch.OrderBy(r => r.Key, KeyComparer.Instance).ToList();
        // A key PostgreSQL refuses (a zero byte in a string key) fails its own write only: the batch is split until it
        // is alone (BatchIsolation). A batch that fails as a whole for any other reason fails each of its callers.
        await BatchIsolation.WriteIsolatingAsync(rows, WriteRowsAsync, (failed, e) =>
        {
            _logger.LogError(e, "Grain storage batch of {Count} writes failed.", failed.Count);
            foreach (var row in failed) row.Done.TrySetException(e);
        }).ConfigureAwait(false);
    }

    /// <summary>Writes the rows in one statement (one implicit transaction) and completes their callers; throws if it failed.</summary>
    private async Task WriteRowsAsync(IReadOnlyList<WriteRequest> rows)
    {
        var n = rows.Count;
        var h = new int[n]; var n0 = new long[n]; var n1 = new long[n]; var th = new int[n];
        var gt = new string[n]; var ext = new string?[n]; var v = new int?[n]; var p = new byte[]?[n];
        for (var i = 0; i < n; i++)
        {
            var k = rows[i].Key;
            (h[i], n0[i], n1[i], th[i], gt[i], ext[i], v[i], p[i]) = (k.GrainIdHash, k.N0, k.N1, k.GrainTypeHash, k.GrainType, k.Extension, rows[i].Expected, rows[i].Payload);
        }
        var villageRows = VillageRowParameters(rows);

        // A repeat is harmless even if the first run had committed (a stale connection's lost answer): every row's version
        // check then refuses it, a conflict, never a second write.
        var results = await StaleConnections.RunRepeatableAsync(_db, _logger, $"Grain storage batch of {n} writes", async () =>
        {
            var versions = new int?[n];
            await using var connection = await _db.OpenConnectionAsync().ConfigureAwait(false);
            await using var command = new NpgsqlCommand(WriteSql, connection);
            await WithPreparedStatementsResetOnErrorAsync(connection, async () =>
            {
                AddKeyParameters(command, h, n0, n1, th, gt, ext);
                command.Parameters.Add(new NpgsqlParameter { Value = v, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
                command.Parameters.Add(new NpgsqlParameter { Value = p, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
                // A parameter belongs to one command: a retry (deadlock, stale connection) takes fresh copies.
                foreach (var parameter in villageRows) command.Parameters.Add(parameter.Clone());
                await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    var i = reader.GetInt32(0);
                    versions[i] = reader.GetInt32(1);
                }
            }).ConfigureAwait(false);
            return versions;
        }).ConfigureAwait(false);
        // The statement ran in its own implicit transaction: reaching here means it committed.
        Statistics.RecordWriteBatch(n);
        // A write not returned changed nothing (stale ETag, lost first insert): null, that caller's conflict.
        for (var i = 0; i < n; i++) rows[i].Done.TrySetResult(results[i]);
    }

    /// <summary>The village rows the writes carry, as the statement's parameters $10..$14 (owner = the write's 1-based position).</summary>
    private NpgsqlParameter[] VillageRowParameters(IReadOnlyList<WriteRequest> rows)
    {
        var (owner, village, resident, version, payload) = (new List<long>(), new List<string>(), new List<string>(), new List<long>(), new List<byte[]?>());
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].VillageRows is not { } carried) continue;
            // One row per (village, resident) per write: the newest version (an upsert may touch a row once per statement).
            foreach (var row in carried.GroupBy(r => (r.VillageCode, r.Summary.ResidentKey)).Select(g => g.MaxBy(r => r.Summary.Version)))
            {
                owner.Add(i + 1);
                village.Add(row.VillageCode);
                resident.Add(row.Summary.ResidentKey);
                version.Add(row.Summary.Version);
                payload.Add(row.Summary.Removed ? null : _villageRows.Payload(row.Summary));
            }
        }
        return
        [
            new NpgsqlParameter<long[]> { TypedValue = owner.ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = village.ToArray() },
            new NpgsqlParameter<string[]> { TypedValue = resident.ToArray() },
            new NpgsqlParameter<long[]> { TypedValue = version.ToArray() },
            new NpgsqlParameter { Value = payload.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea },
        ];
    }

    // One line a minute while there is traffic, so the batch sizes under real load are on record in the silo log.
    private async Task ReportLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        long lastWrites = 0, lastBatches = 0, lastReads = 0, lastReadBatches = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                var (w, b, r, rb) = (Statistics.Writes, Statistics.WriteBatches, Statistics.Reads, Statistics.ReadBatches);
                if (w == lastWrites && r == lastReads) continue;
                _logger.LogInformation(
                    "Grain storage {Name}: last minute {Writes} writes in {Batches} batches (avg {Avg:F1}), {Reads} reads in {ReadBatches} batches; total {Statistics}",
                    _name, w - lastWrites, b - lastBatches, b == lastBatches ? 0 : (double)(w - lastWrites) / (b - lastBatches), r - lastReads, rb - lastReadBatches, Statistics);
                (lastWrites, lastBatches, lastReads, lastReadBatches) = (w, b, r, rb);
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task ReadLoopAsync()
    {
        var batch = new List<ReadRequest>(_options.MaxReadBatch);
        while (await _reads.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _options.MaxReadBatch && _reads.Reader.TryRead(out var request)) batch.Add(request);
            if (batch.Count == 0) continue;
            await ReadBatchAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    private Task ReadBatchAsync(List<ReadRequest> batch) =>
        // As for writes: a key PostgreSQL refuses fails its own read only, not the other grains activating with it.
        // A read met on a stale pooled connection is run once more on a fresh one (StaleConnections).
        BatchIsolation.WriteIsolatingAsync(batch, part => StaleConnections.RetryOnceAsync(_db, () => ReadRowsAsync(part)), (failed, e) =>
        {
            _logger.LogError(e, "Grain storage batch of {Count} reads failed.", failed.Count);
            foreach (var request in failed) request.Done.TrySetException(e);
        });

    private async Task ReadRowsAsync(IReadOnlyList<ReadRequest> batch)
    {
        var n = batch.Count;
        var h = new int[n]; var n0 = new long[n]; var n1 = new long[n]; var th = new int[n];
        var gt = new string[n]; var ext = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var k = batch[i].Key;
            (h[i], n0[i], n1[i], th[i], gt[i], ext[i]) = (k.GrainIdHash, k.N0, k.N1, k.GrainTypeHash, k.GrainType, k.Extension);
        }
        var results = new (byte[]?, int?)[n];
        await using (var connection = await _db.OpenConnectionAsync().ConfigureAwait(false))
        await using (var command = new NpgsqlCommand(ReadSql, connection))
            await WithPreparedStatementsResetOnErrorAsync(connection, async () =>
            {
                AddKeyParameters(command, h, n0, n1, th, gt, ext);
                await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
                while (await reader.ReadAsync().ConfigureAwait(false))
                {
                    var i = reader.GetInt32(0);
                    results[i] = (reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1), reader.GetInt32(2));
                }
            }).ConfigureAwait(false);
        // Keys without a row keep (null, null): no state, no ETag.
        Statistics.RecordReadBatch(n);
        for (var i = 0; i < n; i++) batch[i].Done.TrySetResult(results[i]);
    }

    /// <summary>
    /// Runs a statement on <paramref name="connection"/>; when PostgreSQL refuses it (say, a zero byte in a key at Bind),
    /// the connection's auto-prepared statements are dropped before it goes back to the pool. Npgsql's bookkeeping of a
    /// statement that was being auto-prepared when the error came can be left wrong (npgsql/npgsql#6391), and the next
    /// batch on that connection then failed with "Received unexpected backend message DataRow", for other callers.
    /// </summary>
    private async Task WithPreparedStatementsResetOnErrorAsync(NpgsqlConnection connection, Func<Task> run)
    {
        try
        {
            await run().ConfigureAwait(false);
        }
        catch (PostgresException)
        {
            try
            {
                connection.UnprepareAll();
            }
            catch (Exception e)
            {
                // The connection is broken then: Npgsql does not pool it again.
                _logger.LogWarning("Grain storage could not reset prepared statements after an error: {Error}", e.Message);
            }
            throw;
        }
    }

    private async Task<(byte[]? Payload, int? Version)> ReadOneAsync(GrainStateKey key)
    {
        var request = new ReadRequest(key);
        await ReadBatchAsync([request]).ConfigureAwait(false);
        return await request.Done.Task.ConfigureAwait(false);
    }

    /// <summary>The service id and the grain keys as parallel arrays: the first seven parameters of both statements.</summary>
    private void AddKeyParameters(NpgsqlCommand command, int[] h, long[] n0, long[] n1, int[] th, string[] gt, string?[] ext)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _serviceId });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = h });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = n0 });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = n1 });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = th });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = gt });
        command.Parameters.Add(new NpgsqlParameter { Value = ext, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
    }

    public async ValueTask DisposeAsync()
    {
        // Let queued work finish (the silo has deactivated its grains by now), (the data source belongs to the host).
        _writes.Writer.TryComplete();
        _reads.Writer.TryComplete();
        _stopping.Cancel();
        try { await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false); }
        catch (TimeoutException) { _logger.LogWarning("Grain storage {Name} stopped with batches still in flight.", _name); }
        _stopping.Dispose();
    }

    private sealed class WriteRequest(GrainStateKey key, int? expected, byte[]? payload, VillageRow[]? villageRows)
    {
        public VillageRow[]? VillageRows { get; } = villageRows;
        public GrainStateKey Key { get; } = key;
        public int? Expected { get; } = expected;
        public byte[]? Payload { get; } = payload;
        public TaskCompletionSource<int?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class ReadRequest(GrainStateKey key)
    {
        public GrainStateKey Key { get; } = key;
        public TaskCompletionSource<(byte[]?, int?)> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class KeyComparer : IComparer<GrainStateKey>
    {
        public static readonly KeyComparer Instance = new();
        public int Compare(GrainStateKey x, GrainStateKey y) => GrainStateKey.Compare(x, y);
    }
}
