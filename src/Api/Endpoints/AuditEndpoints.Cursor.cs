using System.Buffers.Binary;
using Sanmenxia.Platform.Stores;

namespace Sanmenxia.Api.Endpoints;

public static partial class AuditEndpoints
{
    private const byte CursorVersion = 1;

    /// <summary>
    /// The opaque cursor of the next page: version, the last row's time (µs since 1970, as PostgreSQL keeps it) and id,
    /// base64url. It carries no filter: a cursor used with other filters only starts that search at the same place.
    /// </summary>
    internal static string EncodeCursor(AuditCursor cursor)
    {
        Span<byte> bytes = stackalloc byte[17];
        bytes[0] = CursorVersion;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], (cursor.At.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
        BinaryPrimitives.WriteInt64BigEndian(bytes[9..], cursor.Id);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    internal static bool TryDecodeCursor(string text, out AuditCursor cursor)
    {
        cursor = default;
        if (text.Length is 0 or > 64) return false;
        var base64 = text.Replace('-', '+').Replace('_', '/');
        base64 += new string('=', (4 - base64.Length % 4) % 4);
        Span<byte> bytes = stackalloc byte[24];
        if (!Convert.TryFromBase64String(base64, bytes, out var written) || written != 17 || bytes[0] != CursorVersion) return false;
        var micros = BinaryPrimitives.ReadInt64BigEndian(bytes[1..]);
        var id = BinaryPrimitives.ReadInt64BigEndian(bytes[9..]);
        if (micros is < 0 or > 253_402_300_799_000_000L || id < 0) return false;
        cursor = new AuditCursor(DateTimeOffset.UnixEpoch.AddTicks(micros * 10), id);
        return true;
    }
}
