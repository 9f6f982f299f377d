namespace Sanmenxia.Persistence;

/// <summary>Where the project's PostgreSQL database is. Bound from the "Postgres" configuration section.</summary>
public sealed class PostgresOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Postgres";

    /// <summary>ADO.NET invariant name to give every Orleans ADO.NET provider (they default to SQL Server otherwise).</summary>
    public const string Invariant = "Npgsql";

    /// <summary>Npgsql connection string of the application database.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Apply pending schema migrations when a silo starts.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
