using Npgsql;
using Sanmenxia.IntegrationTests.Support;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>What the PostgreSQL tests share: one-off statements, and holding a store's writer so queued work forms one batch.</summary>
internal static class PgTestSql
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The stored version of a resident's grain state: it rises with every write, so an unchanged one proves no write.</summary>
    public static string ResidentStateVersion(string residentKey) =>
        $"select version from orleans_grain_state where grain_type = 'resident' and grain_id_extension = '{residentKey}'";

    /// <summary>Backends of <paramref name="applicationName"/> in this database waiting on a lock.</summary>
    public static string LockWaiters(string applicationName) =>
        $"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = '{applicationName}' AND wait_event_type = 'Lock'";

    /// <summary>
    /// Makes the work <paramref name="start"/> queues land in one batch of a store with one writer: <paramref name="hold"/>
    /// takes a lock in a transaction of its own, <paramref name="blocker"/> queues work that waits on it (so the writer is
    /// busy), once <paramref name="waitersSql"/> counts that one waiter the rest is queued behind it, and the lock is
    /// released. Returns the queued tasks, all completed (successfully or not).
    /// </summary>
    public static async Task<TTask[]> InOneBatchAsync<TTask>(string connectionString, Func<NpgsqlConnection, NpgsqlTransaction, Task> hold,
        Func<Task> blocker, string waitersSql, Func<IEnumerable<TTask>> start) where TTask : Task
    {
        await using var locker = new NpgsqlConnection(connectionString);
        await locker.OpenAsync();
        await using var transaction = await locker.BeginTransactionAsync();
        await hold(locker, transaction);
        var blocked = blocker();
        await Eventually.Until(() => ScalarAsync<long>(connectionString, waitersSql), waiting => waiting == 1, s_deadline,
            "the blocker to wait on the held lock", TimeSpan.FromMilliseconds(20));
        var tasks = start().ToArray();
        await transaction.CommitAsync();
        await blocked;
        await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        return tasks;
    }

    /// <summary>A <paramref name="hold"/> for <see cref="InOneBatchAsync{TTask}"/>: the whole table, exclusively.</summary>
    public static Func<NpgsqlConnection, NpgsqlTransaction, Task> TableLock(string table) => async (connection, transaction) =>
    {
        await using var command = new NpgsqlCommand($"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE", connection, transaction);
        await command.ExecuteNonQueryAsync();
    };

    /// <summary>A <paramref name="hold"/> for <see cref="InOneBatchAsync{TTask}"/>: the rows <paramref name="select"/> ($1 = <paramref name="key"/>) finds, FOR UPDATE.</summary>
    public static Func<NpgsqlConnection, NpgsqlTransaction, Task> RowLock(string select, string key) => async (connection, transaction) =>
    {
        await using var command = new NpgsqlCommand(select + " FOR UPDATE", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
        await command.ExecuteScalarAsync();
    };
}
