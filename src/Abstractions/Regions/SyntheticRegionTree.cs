namespace Sanmenxia.Regions;

internal static class SyntheticRegionTree
{
    private const int VillagesPerTownship = 27;
    private const int MeanVillagePopulation = 1_000;
    private const double VillagePopulationSpread = 0.4;

    private enum TownshipKind { Street, Town, Xiang }

    private sealed record CountyProfile(RegionCode Code, double PopulationShare, double StreetShare);

    // Shares follow the real order of size (Lingbao and Lushi largest, Yima smallest); urban districts
    // and county-level cities have a larger share of streets (街道) and communities (社区).
    private static readonly CountyProfile[] Profiles =
    [
        new(SanmenxiaRegions.Hubin, 0.15, 0.60),
        new(SanmenxiaRegions.Shanzhou, 0.14, 0.15),
        new(SanmenxiaRegions.Mianchi, 0.14, 0.12),
        new(SanmenxiaRegions.Lushi, 0.19, 0.08),
        new(SanmenxiaRegions.Yima, 0.08, 0.50),
        new(SanmenxiaRegions.Lingbao, 0.30, 0.10),
    ];

    // Name parts as (hanzi, pinyin) so every synthetic name has a readable Latin form.
    private static readonly (string Han, string Pinyin)[] RuralFirst =
    [
        ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
        ("赵", "Zhao"), ("黄", "Huang"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun"),
        ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("高", "Gao"),
        ("罗", "Luo"), ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"), ("韩", "Han"),
        ("东", "Dong"), ("西", "Xi"), ("南", "Nan"), ("北", "Bei"), ("上", "Shang"), ("下", "Xia"),
        ("前", "Qian"), ("后", "Hou"), ("大", "Da"), ("小", "Xiao"), ("石", "Shi"), ("柳", "Liu"),
        ("桃", "Tao"), ("杏", "Xing"), ("槐", "Huai"), ("枣", "Zao"), ("双", "Shuang"), ("官", "Guan"),
        ("故", "Gu"), ("函", "Han"), ("崤", "Xiao"), ("观", "Guan"), ("磁", "Ci"), ("仰", "Yang"),
    ];

    private static readonly (string Han, string Pinyin)[] VillageSecond =
    [
        ("家", "jia"), ("庄", "zhuang"), ("沟", "gou"), ("坡", "po"), ("岭", "ling"), ("营", "ying"),
        ("寨", "zhai"), ("湾", "wan"), ("河", "he"), ("店", "dian"), ("原", "yuan"), ("峪", "yu"),
        ("窑", "yao"), ("堡", "bao"), ("坪", "ping"), ("园", "yuan"),
    ];

    private static readonly (string Han, string Pinyin)[] TownSecond =
    [
        ("阳", "yang"), ("川", "chuan"), ("原", "yuan"), ("关", "guan"), ("城", "cheng"), ("桥", "qiao"),
        ("山", "shan"), ("峪", "yu"), ("头", "tou"), ("口", "kou"), ("坪", "ping"), ("亭", "ting"),
        ("塬", "yuan"), ("村", "cun"), ("池", "chi"), ("县", "xian"),
    ];

    private static readonly (string Han, string Pinyin)[] UrbanFirst =
    [
        ("和平", "Heping"), ("建设", "Jianshe"), ("文化", "Wenhua"), ("解放", "Jiefang"), ("人民", "Renmin"),
        ("团结", "Tuanjie"), ("新华", "Xinhua"), ("光明", "Guangming"), ("向阳", "Xiangyang"), ("幸福", "Xingfu"),
        ("朝阳", "Chaoyang"), ("黄河", "Huanghe"), ("崤山", "Xiaoshan"), ("甘棠", "Gantang"), ("车站", "Chezhan"),
        ("大岭", "Daling"), ("涧河", "Jianhe"), ("前进", "Qianjin"), ("友谊", "Youyi"), ("湖滨", "Hubin"),
        ("五原", "Wuyuan"), ("六峰", "Liufeng"), ("上阳", "Shangyang"), ("天鹅", "Tian'e"), ("千秋", "Qianqiu"),
    ];

    private static readonly (string Han, string Pinyin)[] UrbanSecond =
    [
        ("", ""), ("路", " Lu"), ("街", " Jie"), ("东", " Dong"), ("西", " Xi"), ("南", " Nan"), ("北", " Bei"),
        ("苑", " Yuan"), ("里", " Li"), ("新城", " Xincheng"),
    ];

    public static IReadOnlyList<RegionInfo> Generate(int seed, int targetVillages)
    {
        // Each county needs at least one village; beyond 20,000 a county could exceed 999 townships.
        ArgumentOutOfRangeException.ThrowIfLessThan(targetVillages, Profiles.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetVillages, 20_000);

        var random = new SplitMix64(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + 0x2020UL));
        var villagesPerCounty = Apportion(targetVillages, Profiles.Select(p => p.PopulationShare).ToArray());

        var counties = new List<RegionInfo>();
        var below = new List<RegionInfo>();
        for (var i = 0; i < Profiles.Length; i++)
        {
            var named = SanmenxiaRegions.Counties.Single(c => c.Code == Profiles[i].Code);
            var subtree = GenerateCounty(Profiles[i], villagesPerCounty[i], ref random);
            var population = subtree.Where(r => r.Level == RegionLevel.Township).Sum(r => r.Population);
            counties.Add(new RegionInfo(named.Code, named.Name, named.Pinyin, RegionLevel.County, SanmenxiaRegions.CityCode, population));
            below.AddRange(subtree);
        }

        var city = SanmenxiaRegions.City;
        var result = new List<RegionInfo>(1 + counties.Count + below.Count)
        {
            new(city.Code, city.Name, city.Pinyin, RegionLevel.City, null, counties.Sum(c => c.Population)),
        };
        result.AddRange(counties);
        result.AddRange(below);
        return result;
    }

    private static List<RegionInfo> GenerateCounty(CountyProfile profile, int villageCount, ref SplitMix64 random)
    {
        var townshipCount = Math.Max(1, (int)Math.Round(villageCount / (double)VillagesPerTownship));
        var streetCount = Math.Max(1, (int)Math.Round(townshipCount * profile.StreetShare));
        var weights = new double[townshipCount];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = 0.6 + 0.8 * random.NextDouble();
        }

        var villagesPerTownship = Apportion(villageCount, weights);
        var result = new List<RegionInfo>();
        var townshipNames = new HashSet<string>(StringComparer.Ordinal);
        for (var t = 0; t < townshipCount; t++)
        {
            var kind = t < streetCount ? TownshipKind.Street : random.NextDouble() < 0.75 ? TownshipKind.Town : TownshipKind.Xiang;
            var (name, pinyin) = UniqueName(townshipNames, ref random, (ref SplitMix64 r) => TownshipName(kind, ref r));
            var townshipCode = RegionCode.Parse($"{profile.Code.Value}{t + 1:D3}");

            var villages = new List<RegionInfo>(villagesPerTownship[t]);
            var villageNames = new HashSet<string>(StringComparer.Ordinal);
            for (var v = 0; v < villagesPerTownship[t]; v++)
            {
                // Streets are urban (mostly communities); towns and xiang are rural (mostly villages).
                var isCommunity = random.NextDouble() < (kind == TownshipKind.Street ? 0.9 : 0.05);
                var (villageName, villagePinyin) = UniqueName(villageNames, ref random, (ref SplitMix64 r) => VillageName(isCommunity, ref r));
                var population = (int)Math.Round(MeanVillagePopulation * (1 - VillagePopulationSpread + 2 * VillagePopulationSpread * random.NextDouble()));
                villages.Add(new RegionInfo(
                    RegionCode.Parse($"{townshipCode.Value}{v + 1:D3}"), villageName, villagePinyin, RegionLevel.Village, townshipCode, population));
            }

            result.Add(new RegionInfo(townshipCode, name, pinyin, RegionLevel.Township, profile.Code, villages.Sum(v => v.Population)));
            result.AddRange(villages);
        }

        return result;
    }

    private delegate (string Han, string Pinyin) NameFactory(ref SplitMix64 random);

    // Retries until the name is unused among siblings; a numeric suffix guarantees termination.
    private static (string Han, string Pinyin) UniqueName(HashSet<string> used, ref SplitMix64 random, NameFactory factory)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (han, pinyin) = factory(ref random);
            if (attempt >= 50)
            {
                han = $"{han}{attempt}";
                pinyin = $"{pinyin} {attempt}";
            }

            if (used.Add(han))
            {
                return (han, pinyin);
            }
        }
    }

    private static (string Han, string Pinyin) TownshipName(TownshipKind kind, ref SplitMix64 random)
    {
        if (kind == TownshipKind.Street)
        {
            var (han, pinyin) = Pick(UrbanFirst, ref random);
            return ($"{han}街道", $"{pinyin} Jiedao");
        }

        var first = Pick(RuralFirst, ref random);
        var second = Pick(TownSecond, ref random);
        return kind == TownshipKind.Town
            ? ($"{first.Han}{second.Han}镇", $"{first.Pinyin}{second.Pinyin} Zhen")
            : ($"{first.Han}{second.Han}乡", $"{first.Pinyin}{second.Pinyin} Xiang");
    }

    private static (string Han, string Pinyin) VillageName(bool isCommunity, ref SplitMix64 random)
    {
        if (isCommunity)
        {
            var urbanFirst = Pick(UrbanFirst, ref random);
            var urbanSecond = Pick(UrbanSecond, ref random);
            return ($"{urbanFirst.Han}{urbanSecond.Han}社区", $"{urbanFirst.Pinyin}{urbanSecond.Pinyin} Shequ");
        }

        var first = Pick(RuralFirst, ref random);
        var second = Pick(VillageSecond, ref random);
        return ($"{first.Han}{second.Han}村", $"{first.Pinyin}{second.Pinyin} Cun");
    }

    private static T Pick<T>(T[] items, ref SplitMix64 random) => items[random.NextInt(items.Length)];

    // Largest-remainder split of total into parts proportional to weights, every part at least 1.
    private static int[] Apportion(int total, double[] weights)
    {
        var sum = weights.Sum();
        var exact = weights.Select(w => Math.Max(1.0, total * w / sum)).ToArray();
        var parts = exact.Select(e => (int)Math.Floor(e)).ToArray();
        var remaining = total - parts.Sum();
        var byRemainder = Enumerable.Range(0, parts.Length).OrderByDescending(i => exact[i] - parts[i]).ThenBy(i => i).ToArray();
        for (var k = 0; remaining > 0; k = (k + 1) % parts.Length, remaining--)
        {
            parts[byRemainder[k]]++;
        }

        // Forcing small parts up to 1 can overshoot; take the excess from the largest parts.
        while (remaining < 0)
        {
            var largest = Array.IndexOf(parts, parts.Max());
            parts[largest]--;
            remaining++;
        }

        return parts;
    }

    // SplitMix64 (Steele et al.): tiny, fast and fully specified, so output never changes between runtimes.
    private struct SplitMix64(ulong state)
    {
        private ulong _state = state;

        public ulong NextUInt64()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

        public int NextInt(int exclusiveMax) => (int)(NextUInt64() % (ulong)exclusiveMax);
    }
}
