namespace Sanmenxia.Identity;

/// <summary>How a resident's name is shown to checkpoint staff and in pass records.</summary>
public static class NameMasking
{
    /// <summary>张三丰 → 张*丰, 李四 → 李*: enough for staff to match a face, not to identify a stranger.</summary>
    public static string Mask(string name) => name.Length switch
    {
        <= 1 => name,
        2 => name[0] + "*",
        _ => name[0] + new string('*', name.Length - 2) + name[^1],
    };
}
