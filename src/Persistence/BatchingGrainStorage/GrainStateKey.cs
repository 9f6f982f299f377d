using System.Text;
using Orleans;
using Orleans.Runtime;

namespace Sanmenxia.Persistence.BatchingGrainStorage;

/// <summary>
/// The natural key of a row of <c>orleans_grain_state</c>, computed exactly as the stock ADO.NET provider
/// (Microsoft.Orleans.Persistence.AdoNet, default hasher) computes it, so either provider finds the other's rows:
/// <list type="bullet">
/// <item>GUID keys: n0/n1 = the two little-endian halves of <see cref="Guid.ToByteArray"/>; integer keys: n0 = 0,
/// n1 = the key; both with the key extension (if any) as the string part. Any other key: n0 = n1 = 0 and the whole
/// key as the string part.</item>
/// <item>grain id hash = Orleans' <see cref="StableHash"/> of the key bytes (GUID bytes or the integer's bytes, then the
/// UTF-8 extension; or the UTF-8 string key), reversed on little-endian machines.</item>
/// <item>grain type = the state name with generic arguments reduced to their type names (ExtractBaseClass),
/// type hash = StableHash of its UTF-8 bytes.</item>
/// </list>
/// The interoperability tests (BatchingGrainStorageTests) write with one provider and read with the other for all three key kinds.
/// </summary>
public readonly record struct GrainStateKey(int GrainIdHash, long N0, long N1, int GrainTypeHash, string GrainType, string? Extension)
{
    public static GrainStateKey Create(string stateName, GrainId grainId)
    {
        long n0 = 0, n1 = 0;
        string? text;
        byte[] bytes;
        if (grainId.TryGetGuidKey(out var guid, out var guidExtension))
        {
            var guidBytes = guid.ToByteArray();
            n0 = BitConverter.ToInt64(guidBytes, 0);
            n1 = BitConverter.ToInt64(guidBytes, 8);
            text = guidExtension;
            bytes = Append(guidBytes, text);
        }
        else if (grainId.TryGetIntegerKey(out var integer, out var integerExtension))
        {
            n1 = integer;
            text = integerExtension;
            bytes = Append(BitConverter.GetBytes(integer), text);
        }
        else
        {
            text = grainId.Key.ToString();
            bytes = Encoding.UTF8.GetBytes(text);
        }
        if (BitConverter.IsLittleEndian) Array.Reverse(bytes);

        var grainType = BaseTypeName(stateName);
        return new GrainStateKey(
            (int)StableHash.ComputeHash(bytes), n0, n1,
            (int)StableHash.ComputeHash(Encoding.UTF8.GetBytes(grainType)), grainType, text);
    }

    /// <summary>A total order, so concurrent batches lock rows in the same order.</summary>
    public static int Compare(in GrainStateKey a, in GrainStateKey b)
    {
        var c = a.GrainIdHash.CompareTo(b.GrainIdHash);
        if (c != 0) return c;
        if ((c = a.GrainTypeHash.CompareTo(b.GrainTypeHash)) != 0) return c;
        if ((c = a.N0.CompareTo(b.N0)) != 0) return c;
        if ((c = a.N1.CompareTo(b.N1)) != 0) return c;
        if ((c = string.CompareOrdinal(a.GrainType, b.GrainType)) != 0) return c;
        return string.CompareOrdinal(a.Extension, b.Extension);
    }

    public override string ToString() => N0 == 0 && N1 == 0 ? $"{GrainType}/{Extension}" : $"{GrainType}/{N0}:{N1}#{Extension}";

    private static byte[] Append(byte[] head, string? extension)
    {
        if (extension is null) return head;
        var tail = Encoding.UTF8.GetBytes(extension);
        var all = new byte[head.Length + tail.Length];
        head.CopyTo(all, 0);
        tail.CopyTo(all, head.Length);
        return all;
    }

    /// <summary>
    /// Reduces a generic type name (<c>Ns.Type`2[[A, Asm, Version=…],[B, Asm, …]]</c>) to its type names without
    /// assembly versions (<c>Ns.Type`2[[A, Asm],[B, Asm]]</c>), as the stock provider does; other names are unchanged.
    /// </summary>
    internal static string BaseTypeName(string typeName)
    {
        if (!typeName.Contains('`')) return typeName;
        var parts = new Queue<string>(typeName
            .Split(['[', ']'], StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p.Length > 1 && p[0] != ',')
            .Select(WithoutVersion));
        return Format(parts);

        static string WithoutVersion(string part)
        {
            var firstComma = part.IndexOf(',');
            if (firstComma < 0) return part;
            var secondComma = part.IndexOf(',', firstComma + 1);
            return secondComma >= 0 ? part[..secondComma] : part[..firstComma];
        }

        static string Format(Queue<string> parts)
        {
            var name = parts.Dequeue();
            var tick = name.IndexOf('`');
            var arity = tick < 0 ? 0 : int.Parse(name.AsSpan(tick + 1));
            if (arity <= 0) return name;
            var args = new List<string>(arity);
            for (var i = 0; i < arity; i++) args.Add("[" + Format(parts) + "]");
            return $"{name}[{string.Join(",", args)}]";
        }
    }
}
