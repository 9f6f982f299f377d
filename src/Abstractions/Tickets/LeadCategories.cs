using Sanmenxia.KeyPersons;

namespace Sanmenxia.Tickets;

/// <summary>Labels of the lead categories, zh-CN first with English beside it.</summary>
public static class LeadCategories
{
    public static IReadOnlyList<LeadCategory> All { get; } = Enum.GetValues<LeadCategory>();

    public static string Label(LeadCategory category) => category switch
    {
        LeadCategory.NoFeverCheckPoint => "村/社区未设发热检测点 · Village or community with no fever-check point",
        LeadCategory.PersonWithFever => "发热人员 · Person with fever",
        LeadCategory.Gathering => "聚集 · Gathering",
        LeadCategory.BackFromWuhan => "武汉返回人员 · Person back from Wuhan",
        LeadCategory.VehicleFromHubei => "湖北返回车辆 · Vehicle back from Hubei",
        LeadCategory.Rumour => "谣言 · Rumours",
        LeadCategory.PriceGouging => "哄抬物价 · Price gouging",
        LeadCategory.FakeProtectiveSupplies => "假冒防护用品 · Fake protective supplies",
        LeadCategory.UsedMaskResale => "回收倒卖废旧口罩 · Resale of used masks",
        LeadCategory.WildAnimalTrade => "野生动物交易 · Wild-animal trade",
        _ => category.ToString(),
    };

    /// <summary>
    /// The key-person category a confirmed lead about a person suggests (the village may choose another): a person with
    /// fever → fever without exposure; back from Wuhan → from Wuhan; a vehicle back from Hubei → its people are from Hubei.
    /// Null for leads that are not about a person (gatherings, rumours, prices, supplies, masks, wild animals, a missing check point).
    /// </summary>
    public static KeyPersonCategory? KeyPersonCategoryFor(LeadCategory? category) => category switch
    {
        LeadCategory.PersonWithFever => KeyPersonCategory.FeverNoExposure,
        LeadCategory.BackFromWuhan => KeyPersonCategory.FromWuhan,
        LeadCategory.VehicleFromHubei => KeyPersonCategory.FromHubei,
        _ => null,
    };

    /// <summary>Whether a lead of this category is about a person, so that a village may register a key-person entry from it.</summary>
    public static bool IsAboutAPerson(LeadCategory? category) => KeyPersonCategoryFor(category) is not null;
}
