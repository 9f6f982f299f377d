using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Sanmenxia.Api.Problems;

/// <summary>
/// The control-character rule, applied at the edge to every JSON text field, route value, query value and CSV cell
/// (docs/security.md). Refused everywhere: C0 controls (U+0000–U+001F) and DEL (U+007F), C1 controls (U+0080–U+009F),
/// the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and unpaired surrogates.
/// The one exception: tab, line feed and carriage return are allowed in the free-text fields of JSON bodies
/// (<see cref="FreeTextFields"/>: notes, reasons, details) and inside CSV cells (a CSV file is made of them).
/// <para>
/// Why: PostgreSQL refuses the zero byte in text, and a refused row used to fail the whole batch it was written or
/// read in, for other callers too; the other controls forge log lines and CSV rows, and the bidirectional controls
/// make a name display as something it is not.
/// </para>
/// </summary>
public static class UnsafeText
{
    /// <summary>JSON properties (camelCase, as on the wire) whose text may span lines.</summary>
    public static readonly IReadOnlySet<string> FreeTextFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "note", "reason", "detail", "problems", "recentTravel",
    };

    /// <summary>The first refused character of <paramref name="value"/> and why, or null if the text is acceptable.</summary>
    public static string? Check(ReadOnlySpan<char> value, bool allowLineBreaks = false)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c)) return $"contains an unpaired surrogate (U+{(int)c:X4})";
            if (c is '\t' or '\n' or '\r')
            {
                if (allowLineBreaks) continue;
                return $"must not contain a control character (U+{(int)c:X4}, tab or line break)";
            }
            if (c < 0x20 || c is >= '\u007f' and <= '\u009f') return $"must not contain a control character (U+{(int)c:X4})";
            if (c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069')
                return $"must not contain a bidirectional control character (U+{(int)c:X4})";
        }
        return null;
    }

    /// <summary>Adds the rule to a JSON serializer's reading of strings (writing is unchanged).</summary>
    public static void Apply(JsonSerializerOptions options)
    {
        options.Converters.Add(StrictConverter.Instance);
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(info =>
        {
            if (info.Kind != JsonTypeInfoKind.Object) return;
            foreach (var property in info.Properties)
                if (property.PropertyType == typeof(string) && FreeTextFields.Contains(property.Name))
                    property.CustomConverter = FreeTextConverter.Instance;
        });
    }

    private abstract class Converter(bool allowLineBreaks) : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
                throw new JsonException($"The JSON value could not be converted to a string ({reader.TokenType}).");
            var value = reader.GetString()!;
            if (Check(value, allowLineBreaks) is { } reason) throw new UnsafeTextException(reason);
            return value;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var value = reader.GetString()!;
            if (Check(value) is { } reason) throw new UnsafeTextException(reason);
            return value;
        }

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);
    }

    private sealed class StrictConverter() : Converter(allowLineBreaks: false) { public static readonly StrictConverter Instance = new(); }
    private sealed class FreeTextConverter() : Converter(allowLineBreaks: true) { public static readonly FreeTextConverter Instance = new(); }

    /// <summary>The field name of a JSON path as the API's problem details name fields: "$.staff[0]" → "staff[0]".</summary>
    public static string FieldOf(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? "body" : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');

    /// <summary>The route and query values of a request that break the rule (none allow line breaks), by field name.</summary>
    public static FieldErrors? CheckRouteAndQuery(HttpContext http)
    {
        FieldErrors? errors = null;
        foreach (var (name, value) in http.Request.RouteValues)
        {
            if (value is not string text) continue;
            if (Check(text) is { } reason) (errors ??= new()).Add(name, reason);
            // A blank key is nobody's: refused here rather than reaching a grain (Orleans refuses blank string keys).
            else if (text.Length > 0 && string.IsNullOrWhiteSpace(text)) (errors ??= new()).Add(name, "must not be blank");
        }
        foreach (var (name, values) in http.Request.Query)
        {
            if (Check(name) is { } nameReason) { (errors ??= new()).Add("query", $"a parameter name {nameReason}"); continue; }
            foreach (var value in values)
                if (value is not null && Check(value) is { } reason) (errors ??= new()).Add(name, reason);
        }
        return errors;
    }

    /// <summary>
    /// Refuses requests whose route or query values break the rule, with 400 problem details naming each field.
    /// After routing (the route values are known), before authentication's effects on grains.
    /// </summary>
    public static IApplicationBuilder UseUnsafeTextRefusal(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (CheckRouteAndQuery(http) is { } errors)
        {
            await Refusals.Fields(errors, code: ErrorCode).ExecuteAsync(http);
            return;
        }
        // Bodies that are not JSON (CSV imports) are checked as they are read. The original stream is put back after,
        // so a re-run of the request (ProblemSetup's retry) rewinds the buffered body and wraps it afresh. SignalR's
        // messages are framed by a control character (U+001E): the hub checks its own arguments (region codes).
        var body = http.Request.Body;
        if (http.Request.ContentLength != 0 && !IsJson(http.Request.ContentType) && !http.Request.Path.StartsWithSegments("/hubs")
            && http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody != false)
            http.Request.Body = new UnsafeTextStream(body);
        try
        {
            await next(http);
        }
        finally
        {
            http.Request.Body = body;
        }
    });

    /// <summary>The "code" of the problem details that refuse text under this rule.</summary>
    public const string ErrorCode = "unsafe-text";

    private static bool IsJson(string? contentType) => contentType is not null && (
        contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
        || contentType.Contains("+json", StringComparison.OrdinalIgnoreCase));
}

/// <summary>A JSON string value broke <see cref="UnsafeText"/>'s rule; the serializer adds the path of the field.</summary>
public sealed class UnsafeTextException(string reason) : JsonException(reason)
{
    public string Reason { get; } = reason;
}

/// <summary>A non-JSON body (a CSV file) broke <see cref="UnsafeText"/>'s rule at this line.</summary>
public sealed class UnsafeBodyException(int line, string reason) : IOException($"Line {line} {reason}")
{
    public int Line { get; } = line;
    public string Reason { get; } = reason;
}

/// <summary>
/// Reads a UTF-8 body through and refuses the rule's characters as they pass (tab, line feed and carriage return are
/// the structure of a CSV file and allowed). Every refused character is found from its bytes alone: C0 and DEL are
/// single bytes that never occur inside a multi-byte sequence, C1 is C2 80–9F, the bidirectional controls are
/// E2 80 AA–AE and E2 81 A6–A9; a surrogate cannot be encoded in valid UTF-8 (the reader replaces it with U+FFFD).
/// </summary>
internal sealed class UnsafeTextStream(Stream inner) : Stream
{
    private int _line = 1;
    private byte _prev1, _prev2; // the two bytes before the current one, across reads

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        var read = await inner.ReadAsync(buffer, ct);
        Scan(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Scan(buffer.AsSpan(offset, read));
        return read;
    }

    private void Scan(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            string? refused = null;
            if (b == (byte)'\n') _line++;
            else if (b < 0x20 && b is not (byte)'\t' and not (byte)'\r' || b == 0x7f) refused = $"must not contain a control character (U+{b:X4})";
            else if (_prev1 == 0xc2 && b is >= 0x80 and <= 0x9f) refused = $"must not contain a control character (U+{b:X4})";
            else if (_prev2 == 0xe2 && (_prev1 == 0x80 && b is >= 0xaa and <= 0xae || _prev1 == 0x81 && b is >= 0xa6 and <= 0xa9))
                refused = $"must not contain a bidirectional control character (U+{(_prev1 == 0x80 ? 0x2000 : 0x2040) + (b & 0x3f):X4})";
            if (refused is not null) throw new UnsafeBodyException(_line, refused);
            (_prev2, _prev1) = (_prev1, b);
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
