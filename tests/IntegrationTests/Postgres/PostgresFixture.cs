using Sanmenxia.Persistence;
using Xunit;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>
/// One PostgreSQL server for every test in the "postgres" collection. Each test (class) asks for
/// its own freshly migrated database, so tests never see each other's rows.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;
    private int _databaseCounter;

    /// <summary>The running server.</summary>
    public PostgresServer Server => _server ?? throw new InvalidOperationException("PostgreSQL fixture not initialised.");

    /// <summary>Creates an empty database named after <paramref name="prefix"/> and returns its connection string.</summary>
    public Task<string> NewDatabaseAsync(string prefix) => Server.CreateDatabaseAsync(UniqueName(prefix));

    /// <summary>Creates a database named after <paramref name="prefix"/>, applies all migrations, returns its connection string.</summary>
    public async Task<string> NewMigratedDatabaseAsync(string prefix)
    {
        var connectionString = await NewDatabaseAsync(prefix);
        await MigrationRunner.ApplyAsync(connectionString);
        return connectionString;
    }

    public async Task InitializeAsync() => _server = await PostgresServer.StartNewAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private string UniqueName(string prefix)
    {
        var clean = new string(prefix.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());
        if (clean.Length > 40)
        {
            clean = clean[..40];
        }
        return $"{clean}_{Interlocked.Increment(ref _databaseCounter)}";
    }
}

/// <summary>Tests sharing the PostgreSQL server. They run one after another (one collection).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
