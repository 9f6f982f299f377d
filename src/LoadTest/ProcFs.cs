using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Sanmenxia.LoadTest;

/// <summary>
/// Cheap reads of /proc: small files into a stack buffer, parsed without splitting strings. stat (CPU ticks) and statm
/// (resident pages) are a few hundred bytes; smaps_rollup (PSS) makes the kernel walk the page tables, so callers read
/// it rarely.
/// </summary>
public static partial class ProcFs
{
    public const double TicksPerSecond = 100; // USER_HZ on Linux
    private static readonly long PageKb = Environment.SystemPageSize / 1024;

    private static int Read(string path, Span<byte> buffer)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        var total = 0;
        while (total < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer[total..], total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    /// <summary>utime + stime, and cutime + cstime (fields 14-17 of /proc/pid/stat), in clock ticks.</summary>
    public static (long Own, long Children) CpuTicks(int pid)
    {
        Span<byte> buffer = stackalloc byte[1024];
        var text = buffer[..Read($"/proc/{pid}/stat", buffer)];
        return ParseStatTicks(text);
    }

    /// <summary>Parses the fields after the command name (which may hold spaces and parentheses: the last ')' ends it).</summary>
    public static (long Own, long Children) ParseStatTicks(ReadOnlySpan<byte> stat)
    {
        var rest = stat[(stat.LastIndexOf((byte)')') + 2)..];
        // rest starts at field 3 (state); fields 14-17 are utime stime cutime cstime.
        Span<long> values = stackalloc long[4];
        var field = 3;
        while (field < 18 && rest.Length > 0)
        {
            var space = rest.IndexOf((byte)' ');
            var token = space < 0 ? rest : rest[..space];
            if (field >= 14) values[field - 14] = long.Parse(Encoding.ASCII.GetString(token), CultureInfo.InvariantCulture);
            rest = space < 0 ? [] : rest[(space + 1)..];
            field++;
        }
        if (field < 18) throw new FormatException("short /proc stat line");
        return (values[0] + values[1], values[2] + values[3]);
    }

    /// <summary>Resident set size in KB from /proc/pid/statm (second field, in pages).</summary>
    public static long RssKb(int pid)
    {
        Span<byte> buffer = stackalloc byte[256];
        var text = buffer[..Read($"/proc/{pid}/statm", buffer)];
        var first = text.IndexOf((byte)' ');
        var rest = text[(first + 1)..];
        var end = rest.IndexOf((byte)' ');
        return long.Parse(Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]), CultureInfo.InvariantCulture) * PageKb;
    }

    /// <summary>A "Key:   123 kB" line of a /proc text file (status, smaps_rollup), in KB; 0 when absent.</summary>
    public static long KbLine(string path, string key)
    {
        Span<byte> buffer = stackalloc byte[4096];
        var text = buffer[..Read(path, buffer)];
        Span<byte> needle = stackalloc byte[key.Length + 1];
        needle[0] = (byte)'\n';
        Encoding.ASCII.GetBytes(key, needle[1..]);
        int at;
        if (text.StartsWith(needle[1..])) at = 0;
        else if (text.IndexOf(needle) is var found and >= 0) at = found + 1;
        else return 0;
        var line = text[(at + key.Length)..];
        line = line[..Math.Max(0, line.IndexOf((byte)'\n'))].Trim(" \t"u8);
        var unit = line.IndexOf((byte)' ');
        return long.Parse(Encoding.ASCII.GetString(unit < 0 ? line : line[..unit]), CultureInfo.InvariantCulture);
    }

    /// <summary>PSS in KB (smaps_rollup), or RSS when that file is not readable.</summary>
    public static long PssKb(int pid)
    {
        try { return KbLine($"/proc/{pid}/smaps_rollup", "Pss:"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return RssKb(pid); }
    }

    /// <summary>
    /// Direct children of a single-threaded process (the postmaster) from /proc/pid/task/pid/children; when the
    /// kernel lacks that file, by reading every process's parent (much dearer).
    /// </summary>
    public static List<int> Children(int pid)
    {
        var list = new List<int>();
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/task/{pid}/children");
            foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                if (int.TryParse(part, CultureInfo.InvariantCulture, out var child)) list.Add(child);
            return list;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { }
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var other) || other == pid) continue;
            try
            {
                var stat = File.ReadAllText($"/proc/{other}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == pid) list.Add(other);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        }
        return list;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec value);

    private const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID

    /// <summary>CPU time of the calling thread in nanoseconds (the sampler measures its own cost with it).</summary>
    public static long ThreadCpuNanoseconds() =>
        ClockGetTime(ClockThreadCpuTime, out var t) == 0 ? t.Seconds * 1_000_000_000 + t.Nanoseconds : 0;
}
