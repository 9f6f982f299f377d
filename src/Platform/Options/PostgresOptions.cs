using Microsoft.Extensions.Configuration;

namespace Sanmenxia.Platform.Options;

/// <summary>Where the store of record is, section "Postgres".</summary>
public sealed class PostgresOptions
{
    public const string Section = "Postgres";

    /// <summary>ADO.NET invariant name to give every Orleans ADO.NET provider (they default to SQL Server otherwise).</summary>
    public const string Invariant = "Npgsql";

    /// <summary>Npgsql connection string of the application database.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The connection string, or a start-up error that says how to set it.</summary>
    public static string RequireConnectionString(IConfiguration configuration)
    {
        var value = configuration.GetSection(Section)["ConnectionString"];
        if (string.IsNullOrWhiteSpace(value))
            throw new InvalidOperationException("Postgres:ConnectionString is not set (environment Postgres__ConnectionString). './sanmenxia up' sets it for you.");
        return value;
    }
}
