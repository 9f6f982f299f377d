namespace Sanmenxia.Checkpoints;

/// <summary>What a checkpoint does with a colour (configurable per checkpoint).</summary>
[GenerateSerializer, Alias("sanmenxia.ColourAction")]
public enum ColourAction { Allow = 0, Check = 1, Refuse = 2 }

/// <summary>
/// A checkpoint's policy: what happens to a red, yellow or not-applied code. Green is always allowed.
/// Defaults (docs/domain.md, choice): red refused, yellow "to be checked", no code "to be checked".
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.CheckpointPolicy")]
public sealed record CheckpointPolicy
{
    public static CheckpointPolicy Default { get; } = new();
    [Id(0)] public ColourAction Red { get; init; } = ColourAction.Refuse;
    [Id(1)] public ColourAction Yellow { get; init; } = ColourAction.Check;
    [Id(2)] public ColourAction NoCode { get; init; } = ColourAction.Check;

    /// <summary>"red=refuse;yellow=check;none=check" (any subset, any order); empty = the default policy.</summary>
    public static bool TryParse(string? text, out CheckpointPolicy policy, out string? error)
    {
        policy = Default;
        error = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        foreach (var part in text.Split([';', ' ', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split(['=', ':'], 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || !Enum.TryParse<ColourAction>(kv[1], ignoreCase: true, out var action) || !Enum.IsDefined(action))
            {
                error = $"'{part}' is not colour=action (actions: allow, check, refuse)";
                return false;
            }
            switch (kv[0].ToLowerInvariant())
            {
                case "red": policy = policy with { Red = action }; break;
                case "yellow": policy = policy with { Yellow = action }; break;
                case "none": policy = policy with { NoCode = action }; break;
                default: error = $"'{kv[0]}' is not a colour (red, yellow, none)"; return false;
            }
        }
        return true;
    }

    public override string ToString() => $"red={Red};yellow={Yellow};none={NoCode}".ToLowerInvariant();
}
