using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Sanmenxia.Persistence;

/// <summary>
/// Pooled connections that died with their server (docs/operations.md, "PostgreSQL restart"). A restart or a
/// pg_terminate_backend closes every backend, but the pool keeps the idle connections and hands them out one by one,
/// each failing its statement with 57P01 (admin_shutdown) or a broken stream. On the first such error the pool is
/// cleared (its idle connections closed, the busy ones not pooled again), once per failure wave: a caller whose
/// connection was taken before the last clear does not clear again. Npgsql's connection-string pools (the ones Orleans'
/// ADO.NET membership, reminders and stock grain storage open per call) are cleared at the same time: the same server
/// restarted under them.
/// <para>
/// Retrying is each store's decision (<see cref="RetryOnceAsync{T}"/>): only a read, or a write whose repeat is
/// harmless (versioned, or an upsert of the same values), runs a second time; any other write only clears the pool
/// (<see cref="ClearOnFailureAsync{T}"/>) and fails to its caller as before.
/// </para>
/// </summary>
public static class StaleConnections
{
    private static readonly ConditionalWeakTable<NpgsqlDataSource, PoolState> Pools = new();

    /// <summary>How many times the pool of <paramref name="db"/> was cleared for a stale connection.</summary>
    public static long ClearCount(NpgsqlDataSource db)
    {
        var pool = Pools.GetOrCreateValue(db);
        lock (pool) return pool.Clears;
    }

    /// <summary>
    /// The server ended the connection (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now) or the
    /// connection broke under the client (an I/O error, not a timeout).
    /// </summary>
    public static bool IsStale(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow,
        // A refused connect is PostgreSQL being down, not a stale pooled connection: nothing to clear, and asking again at
        // once would only be refused again (the drill's PostgreSQL phase logged one such "retry" per write batch).
        NpgsqlException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } => false,
        NpgsqlException { InnerException: IOException or SocketException } => true,
        _ => false,
    };

    /// <summary>
    /// True when <paramref name="exception"/> is a stale connection's; then clears the pool of <paramref name="db"/> unless
    /// it was cleared after <paramref name="startedAt"/> (a <see cref="Stopwatch.GetTimestamp"/> taken before the
    /// connection was opened). Meant for catch filters.
    /// </summary>
    public static bool Observe(NpgsqlDataSource db, Exception exception, long startedAt)
    {
        if (!IsStale(exception)) return false;
        var pool = Pools.GetOrCreateValue(db);
        lock (pool)
        {
            if (pool.LastClear > startedAt) return true;
            pool.LastClear = Stopwatch.GetTimestamp();
            pool.Clears++;
        }
        db.Clear();
        NpgsqlConnection.ClearAllPools();
        return true;
    }

    /// <summary>Runs <paramref name="run"/>; after a stale connection's failure, clears the pool and runs it once more.</summary>
    public static async Task<T> RetryOnceAsync<T>(NpgsqlDataSource db, Func<Task<T>> run)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception e) when (Observe(db, e, started))
        {
            // The statement failed on a dead connection: nothing of it was applied, or (a versioned write) a repeat is harmless.
        }
        return await run().ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a statement whose repeat is harmless (a read, a versioned or idempotent batch) under the group-commit writers'
    /// rule: after a stale connection's failure once more on the cleared pool (<paramref name="onStaleRetry"/> is told);
    /// after a deadlock or serialization failure (rolled back as a whole, nothing of it visible) up to three attempts in
    /// all. Any other failure reaches the caller.
    /// </summary>
    public static async Task<T> RunRepeatableAsync<T>(NpgsqlDataSource db, ILogger logger, string what, Func<Task<T>> run, Action? onStaleRetry = null)
    {
        var staleRetried = false;
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                return await run().ConfigureAwait(false);
            }
            catch (Exception e) when (!staleRetried && Observe(db, e, started))
            {
                staleRetried = true;
                onStaleRetry?.Invoke();
                logger.LogWarning("{What} met a stale connection ({Error}); pool cleared, retrying once.", what,
                    e is PostgresException pg ? pg.SqlState : e.GetType().Name);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < 3)
            {
                logger.LogWarning("{What} hit {SqlState}; retrying.", what, e.SqlState);
            }
        }
    }

    /// <inheritdoc cref="RetryOnceAsync{T}"/>
    public static Task RetryOnceAsync(NpgsqlDataSource db, Func<Task> run) =>
        RetryOnceAsync(db, async () => { await run().ConfigureAwait(false); return true; });

    /// <summary>Runs <paramref name="run"/> once; a stale connection's failure clears the pool and still fails the caller.</summary>
    public static async Task<T> ClearOnFailureAsync<T>(NpgsqlDataSource db, Func<Task<T>> run)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception e) when (ObserveOnly(db, e, started))
        {
            throw; // never reached: the filter only observes
        }
    }

    private static bool ObserveOnly(NpgsqlDataSource db, Exception exception, long startedAt)
    {
        Observe(db, exception, startedAt);
        return false;
    }

    /// <inheritdoc cref="ClearOnFailureAsync{T}"/>
    public static Task ClearOnFailureAsync(NpgsqlDataSource db, Func<Task> run) =>
        ClearOnFailureAsync(db, async () => { await run().ConfigureAwait(false); return true; });

    private sealed class PoolState
    {
        public long Clears;
        public long LastClear;
    }
}
