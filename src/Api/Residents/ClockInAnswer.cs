using System.Text.Json;
using System.Text.Json.Nodes;
using Sanmenxia.Residents;

namespace Sanmenxia.Api.Residents;

/// <summary>
/// What an accepted clock-in answers: the code (the same shape as a code read, so existing clients keep working) plus
/// <c>updatedToday</c> (true when there was already a clock-in today: this one only replaced its reading and does not count
/// as another day) and <c>replaced</c> (that earlier reading: its time and temperature), so a page never accepts a second
/// clock-in silently.
/// </summary>
public static class ClockInAnswer
{
    public static JsonObject From(CodeActionResult result, JsonSerializerOptions options)
    {
        var answer = JsonSerializer.SerializeToNode(result.Code, options)!.AsObject();
        answer[Name(options, "UpdatedToday")] = result.ReplacedToday is not null;
        answer[Name(options, "Replaced")] = result.ReplacedToday is null ? null : JsonSerializer.SerializeToNode(result.ReplacedToday, options);
        return answer;
    }

    private static string Name(JsonSerializerOptions options, string name) => options.PropertyNamingPolicy?.ConvertName(name) ?? name;
}
