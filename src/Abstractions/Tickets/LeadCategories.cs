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
}
