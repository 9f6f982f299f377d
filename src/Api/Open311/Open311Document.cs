using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace Sanmenxia.Api.Open311;

/// <summary>The two formats of GeoReport v2, chosen by the resource's extension (services.xml, services.json).</summary>
public enum Open311Format { Xml, Json }

/// <summary>The fields of an element, in the order the specification lists them; values are text, numbers, booleans, nested fields or lists.</summary>
public sealed class Open311Fields : List<KeyValuePair<string, object?>>
{
    public Open311Fields With(string name, object? value)
    {
        Add(new(name, value));
        return this;
    }
}

/// <summary>A repeated element: &lt;services&gt;&lt;service/&gt;…&lt;/services&gt; in XML, an array in JSON.</summary>
public sealed record Open311List(string ItemName, IReadOnlyList<object> Items);

/// <summary>
/// One GeoReport v2 answer, written as XML (schemaless, no namespace, UTF-8 with its declaration) or as JSON by the
/// Spark convention the specification names: a root holding a repeated element becomes an array, any other element an
/// object; an empty element becomes null.
/// </summary>
public sealed class Open311Document(string rootName, object root, int status = StatusCodes.Status200OK) : IResult
{
    public const string XmlType = "text/xml; charset=utf-8";
    public const string JsonType = "application/json; charset=utf-8";

    public static Open311Document List(string rootName, string itemName, IEnumerable<Open311Fields> items, int status = StatusCodes.Status200OK) =>
        new(rootName, new Open311List(itemName, items.Cast<object>().ToList()), status);

    public static Open311Document Object(string rootName, Open311Fields fields) => new(rootName, fields);

    /// <summary>The specification's error answer: &lt;errors&gt;&lt;error&gt;&lt;code/&gt;&lt;description/&gt;&lt;/error&gt;…</summary>
    public static Open311Document Errors(int status, IEnumerable<string> descriptions) =>
        List("errors", "error", descriptions.Select(d => new Open311Fields().With("code", status).With("description", d)), status);

    public Open311Format Format { get; init; } = Open311Format.Xml;

    public Open311Document As(Open311Format format) => new(rootName, root, status) { Format = format };

    public int Status => status;

    public byte[] Render() => Format == Open311Format.Json ? RenderJson() : RenderXml();

    public async Task ExecuteAsync(HttpContext http)
    {
        var bytes = Render();
        http.Response.StatusCode = status;
        http.Response.ContentType = Format == Open311Format.Json ? JsonType : XmlType;
        http.Response.ContentLength = bytes.Length;
        await http.Response.Body.WriteAsync(bytes);
    }

    private byte[] RenderXml()
    {
        var document = new XDocument(new XDeclaration("1.0", "utf-8", null), Element(rootName, root));
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
            document.Save(writer);
        return buffer.ToArray();
    }

    private static XElement Element(string name, object? value) => value switch
    {
        null => new XElement(name),
        Open311Fields fields => new XElement(name, fields.Select(f => Element(f.Key, f.Value))),
        Open311List list => new XElement(name, list.Items.Select(i => Element(list.ItemName, i))),
        _ => new XElement(name, XmlSafe(Scalar(value))),
    };

    /// <summary>
    /// Text XML 1.0 can carry: the edge refuses control characters, but not noncharacters such as U+FFFE, which an XML
    /// writer cannot write; each becomes U+FFFD, so one request's text can never break a whole list.
    /// </summary>
    public static string XmlSafe(string text)
    {
        if (text.All(XmlConvert.IsXmlChar)) return text;
        var safe = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
            {
                safe.Append(text, i++, 2);
                continue;
            }
            safe.Append(XmlConvert.IsXmlChar(text[i]) ? text[i] : '\uFFFD');
        }
        return safe.ToString();
    }

    private static string Scalar(object value) => value switch
    {
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private byte[] RenderJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Json(writer, root);
        return buffer.ToArray();
    }

    private static void Json(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case Open311Fields fields:
                writer.WriteStartObject();
                foreach (var (name, field) in fields)
                {
                    writer.WritePropertyName(name);
                    Json(writer, field);
                }
                writer.WriteEndObject();
                break;
            case Open311List list:
                writer.WriteStartArray();
                foreach (var item in list.Items) Json(writer, item);
                writer.WriteEndArray();
                break;
            case bool b: writer.WriteBooleanValue(b); break;
            case int i: writer.WriteNumberValue(i); break;
            case double d: writer.WriteNumberValue(d); break;
            default: writer.WriteStringValue(Scalar(value)); break;
        }
    }
}
