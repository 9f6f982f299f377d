namespace Sanmenxia.Grains;

/// <summary>Names of the grain-state providers the silo registers.</summary>
public static class StorageNames
{
    /// <summary>The store of record: PostgreSQL in every run, memory only in tests.</summary>
    public const string Default = "sanmenxia";
}
