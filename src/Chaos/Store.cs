using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Serialization;
using Sanmenxia.Grains.Residents;
using Sanmenxia.Residents;

namespace Sanmenxia.Chaos;

/// <summary>
/// What the drill reads from PostgreSQL directly, never through the API or a grain (a grain whose memory is ahead of
/// the store, or a read that makes a grain catch up, would hide exactly what the drill looks for): membership rows,
/// reminder rows, the residents' stored grain state (<c>orleans_grain_state</c>) and the villages' read model
/// (<c>village_resident</c>), both decoded with the same Orleans binary serializer the silos write them with.
/// </summary>
public sealed class Store(string connectionString, string clusterId, string serviceId)
{
    public sealed record SiloRow(string Address, int Port, int Generation, int Status, DateTimeOffset IAmAlive);

    /// <summary>A resident's stored grain state and the row's version.</summary>
    public sealed record ResidentRow(string Key, int Version, ResidentState State);

    /// <summary>A row of a village's read model (the resident's summary as the village last stored it).</summary>
    public sealed record RosterRow(string VillageCode, string Key, long Version, ResidentSummary Summary);

    private readonly Serializer _serializer = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(ResidentState).Assembly).AddAssembly(typeof(ResidentSummary).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    public async Task<IReadOnlyList<SiloRow>> MembershipAsync(CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT address, port, generation, status, i_am_alive_time FROM orleans_membership WHERE deployment_id = @d", connection);
        command.Parameters.AddWithValue("d", clusterId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<SiloRow>();
        while (await reader.ReadAsync(ct))
            rows.Add(new SiloRow(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4)));
        return rows;
    }

    /// <summary>
    /// Every suspicion vote in the membership rows (Orleans keeps them in <c>suspect_times</c>, "voter,time|…"), as
    /// "suspected silo ← vote" strings: a vote cast between two readings is in the second set only. Orleans logs votes
    /// at Information, below the silos' Warning level for Orleans, so the table is where they can be counted.
    /// </summary>
    public async Task<IReadOnlySet<string>> SuspicionVotesAsync(CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT address, port, generation, suspect_times FROM orleans_membership WHERE deployment_id = @d AND suspect_times IS NOT NULL AND suspect_times <> ''", connection);
        command.Parameters.AddWithValue("d", clusterId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var votes = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
            foreach (var vote in reader.GetString(3).Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                votes.Add($"{reader.GetString(0)}:{reader.GetInt32(1)}:{reader.GetInt32(2)} <- {vote}");
        return votes;
    }

    /// <summary>Day-roll reminder rows of the given villages (grain ids end with the village code).</summary>
    public async Task<int> CountDayRollRemindersAsync(IReadOnlyCollection<string> villageCodes, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM orleans_reminder WHERE reminder_name = 'day-roll' AND grain_id LIKE 'village/%' AND split_part(grain_id, '/', 2) = ANY(@codes)", connection);
        command.Parameters.AddWithValue("codes", villageCodes.ToArray());
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct));
    }

    /// <summary>
    /// The stored state of residents: the given keys, or every resident row of the service when <paramref name="keys"/>
    /// is null. Rows without a payload (cleared) are left out.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ResidentRow>> ResidentStatesAsync(IReadOnlyCollection<string>? keys, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        // grain_type is the state's name ([PersistentState("resident")]); a string key is stored whole as the extension.
        await using var command = new NpgsqlCommand(
            "SELECT grain_id_extension, version, payload FROM orleans_grain_state " +
            "WHERE service_id = @s AND grain_type = 'resident' AND payload IS NOT NULL" +
            (keys is null ? "" : " AND grain_id_extension = ANY(@keys)"), connection);
        command.Parameters.AddWithValue("s", serviceId);
        if (keys is not null) command.Parameters.AddWithValue("keys", keys.ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new Dictionary<string, ResidentRow>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            var key = reader.GetString(0);
            rows[key] = new ResidentRow(key, reader.GetInt32(1), _serializer.Deserialize<ResidentState>(reader.GetFieldValue<byte[]>(2))!);
        }
        return rows;
    }

    /// <summary>Every row of the villages' read model.</summary>
    public async Task<IReadOnlyList<RosterRow>> RosterAsync(CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT village_code, resident_key, version, payload FROM village_resident", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<RosterRow>();
        while (await reader.ReadAsync(ct))
            rows.Add(new RosterRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), _serializer.Deserialize<ResidentSummary>(reader.GetFieldValue<byte[]>(3))!));
        return rows;
    }

    public const int Active = 3, Dead = 6;
}
