using System.Globalization;
using System.Text;
using Sanmenxia.Identity;
using Sanmenxia.Regions;
using RegionInfo = Sanmenxia.Regions.RegionInfo;

namespace Sanmenxia.LoadTest;

/// <summary>SplitMix64: a tiny PRNG of our own, so a seed gives the same population on every runtime.</summary>
public struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>0 ≤ result &lt; n.</summary>
    public int Below(int n) => (int)(Next() % (ulong)n);

    public int Between(int min, int maxInclusive) => min + Below(maxInclusive - min + 1);

    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
}

/// <summary>One synthetic resident, compact (about 24 bytes) so 2.63M of them fit in ~60 MB; strings are made on demand.</summary>
public readonly record struct Resident(int Village, int Household, int BirthDayNumber, short Sequence, byte Surname, byte Given1, byte Given2, bool Head, bool HasPhone);

/// <summary>
/// A reproducible population: households of 1-6 people spread over the villages of the synthetic region tree in
/// proportion to their synthetic population, valid ID numbers (area code = the village's county), plausible
/// names, and a phone for most adults. The same (seed, cohort, villages, residents) always gives the same people.
/// </summary>
public sealed class Population
{
    /// <summary>Ages are counted at the start of the epidemic; every birth date is before any plausible "today" of the system.</summary>
    public static readonly DateOnly ReferenceDate = new(2020, 1, 1);

    private static readonly string[] Surnames =
    [
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
        "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡",
        "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
        "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯",
        "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴", "莫", "孔", "向", "常",
    ];

    // Henan's commonest surnames (王 李 张 刘 ...) come first: draw the index with a skew towards the front.
    private static readonly string[] MaleGiven =
    [
        "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "宇", "浩",
        "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "阳", "建", "国", "志", "文", "海", "东", "亮", "峰", "晨", "博",
        "新", "成", "红", "永", "金", "春", "德", "立", "庆", "胜", "振", "广", "兴", "利", "宏", "家", "中", "学", "长", "喜",
    ];

    private static readonly string[] FemaleGiven =
    [
        "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "燕", "玲", "桂", "丹", "萍", "红", "婷", "雪", "慧", "颖", "琳",
        "洁", "莉", "倩", "梅", "兰", "英", "华", "琴", "云", "莹", "凤", "玉", "珍", "晶", "彩", "妍", "欣", "悦", "佳", "怡",
        "思", "雨", "梦", "瑶", "璐", "然", "菲", "露", "春", "月", "荣", "爱", "素", "淑", "秋", "翠", "巧", "美", "宁", "晓",
    ];

    private static readonly string[] PhonePrefix3 = ["130", "131", "132", "133", "134", "135", "136", "137", "138", "139"];

    private readonly Resident[] _residents;
    private readonly int[] _householdStart;   // first resident index of each household (+ a sentinel)

    public IReadOnlyList<RegionInfo> Villages { get; }
    public int Count => _residents.Length;
    public int Households => _householdStart.Length - 1;
    public int Cohort { get; }
    public ref readonly Resident this[int index] => ref _residents[index];

    private Population(IReadOnlyList<RegionInfo> villages, Resident[] residents, int[] householdStart, int cohort)
    {
        Villages = villages;
        _residents = residents;
        _householdStart = householdStart;
        Cohort = cohort;
    }

    public static Population Generate(IReadOnlyList<RegionInfo> tree, int residents, int seed, int cohort)
    {
        var villages = tree.Where(r => r.Level == RegionLevel.Village).OrderBy(r => r.Code).ToList();
        if (villages.Count == 0) throw new InvalidOperationException("The region tree has no villages.");
        var rng = new SplitMix64(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL ^ (ulong)(cohort + 1) * 0xD1B54A32D192ED03UL));

        // Residents per village in proportion to the tree's synthetic population (largest remainder).
        var totalPopulation = villages.Sum(v => (long)Math.Max(1, v.Population));
        var targets = new int[villages.Count];
        var remainders = new (double Remainder, int Index)[villages.Count];
        var assigned = 0;
        for (var v = 0; v < villages.Count; v++)
        {
            var exact = (double)residents * Math.Max(1, villages[v].Population) / totalPopulation;
            targets[v] = (int)exact;
            assigned += targets[v];
            remainders[v] = (exact - targets[v], v);
        }
        foreach (var (_, index) in remainders.OrderByDescending(r => r.Remainder).ThenBy(r => r.Index).Take(residents - assigned)) targets[index]++;

        var counties = villages.Select(v => v.Code.Value[..6]).Distinct().Order(StringComparer.Ordinal).ToList();
        var countyOf = villages.Select(v => counties.IndexOf(v.Code.Value[..6])).ToArray();
        var minDay = new DateOnly(1900, 1, 1).DayNumber;
        var maxDay = ReferenceDate.DayNumber;
        // Next free sequence number per (county, birth day, sex): every ID number is unique within the cohort.
        var used = new byte[counties.Count, maxDay - minDay + 1, 2];

        var people = new Resident[residents];
        var households = new List<int>(residents / 2 + 2);
        var next = 0;
        for (var v = 0; v < villages.Count; v++)
        {
            var left = targets[v];
            while (left > 0)
            {
                var size = Math.Min(left, HouseholdSize(ref rng));
                households.Add(next);
                var household = households.Count - 1;
                var surname = SurnameIndex(ref rng);
                var headAge = rng.Between(24, 78);
                for (var m = 0; m < size; m++)
                {
                    int age;
                    bool male;
                    var ownSurname = surname;
                    switch (m)
                    {
                        case 0: age = headAge; male = rng.NextDouble() < 0.72; break;
                        case 1:
                            age = Math.Clamp(headAge + rng.Between(-6, 6), 20, 95);
                            male = !people[next - 1].IsMale();
                            ownSurname = SurnameIndex(ref rng); // spouses keep their own surname
                            break;
                        default:
                            if (m >= 4 && rng.NextDouble() < 0.5) { age = Math.Min(99, headAge + rng.Between(22, 32)); ownSurname = surname; }
                            else age = Math.Max(0, headAge - rng.Between(20, 38));
                            male = rng.NextDouble() < 0.52;
                            break;
                    }
                    var birth = ReferenceDate.DayNumber - age * 365 - rng.Below(365);
                    birth = Math.Max(minDay, birth);
                    var county = countyOf[v];
                    var sex = male ? 0 : 1;
                    // 49 numbers of each parity per (county, day, sex) within a cohort's block of 100: move a day on when full.
                    while (used[county, birth - minDay, sex] >= 49) birth = birth < maxDay ? birth + 1 : minDay;
                    var n = used[county, birth - minDay, sex]++;
                    var sequence = (short)(cohort * 100 + (male ? 1 : 2) + 2 * n);
                    var (g1, g2) = GivenName(ref rng, male);
                    var hasPhone = age >= 16 && rng.NextDouble() < (age >= 70 ? 0.6 : 0.93);
                    people[next] = new Resident(v, household, birth, sequence, (byte)ownSurname, g1, g2, m == 0, hasPhone);
                    next++;
                }
                left -= size;
            }
        }
        households.Add(next);
        return new Population(villages, people, households.ToArray(), cohort);
    }

    // Household sizes 1-6, mean ≈ 2.9 (Henan's 2020 census: 2.9 people per family household).
    private static int HouseholdSize(ref SplitMix64 rng) => rng.Below(100) switch
    {
        < 14 => 1,
        < 38 => 2,
        < 63 => 3,
        < 83 => 4,
        < 94 => 5,
        _ => 6,
    };

    private static int SurnameIndex(ref SplitMix64 rng)
    {
        // Skewed towards the front of the list (the commonest surnames), like the real distribution.
        var u = rng.NextDouble();
        return Math.Min(Surnames.Length - 1, (int)(u * u * Surnames.Length));
    }

    private static (byte, byte) GivenName(ref SplitMix64 rng, bool male)
    {
        var pool = male ? MaleGiven : FemaleGiven;
        var first = (byte)rng.Below(pool.Length);
        var second = rng.NextDouble() < 0.7 ? (byte)rng.Below(pool.Length) : byte.MaxValue;
        return (first, second);
    }

    // ------------------------------------------------------------------ strings on demand

    public string VillageCode(int index) => Villages[_residents[index].Village].Code.Value;

    public string Name(int index)
    {
        var r = _residents[index];
        var pool = r.IsMale() ? MaleGiven : FemaleGiven;
        return Surnames[r.Surname] + pool[r.Given1] + (r.Given2 == byte.MaxValue ? "" : pool[r.Given2]);
    }

    public string IdNumber(int index)
    {
        var r = _residents[index];
        return ResidentIdNumber.Create(VillageCode(index)[..6], DateOnly.FromDayNumber(r.BirthDayNumber), r.Sequence).Value;
    }

    /// <summary>Unique within and across cohorts: 13K + an 8-digit bijection of the index (K = cohort).</summary>
    public string? Phone(int index)
    {
        if (!_residents[index].HasPhone) return null;
        var permuted = ((long)index * 48_271L + 12_345_679L) % 100_000_000L;
        return PhonePrefix3[Cohort] + permuted.ToString("D8", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The phone a resident signs in with: their own, or for a member without one the first phone of their household (a
    /// head's phone stands for members without a phone); null when nobody in the household has one.
    /// </summary>
    public string? SignInPhone(int index)
    {
        if (Phone(index) is { } own) return own;
        var household = _residents[index].Household;
        for (var i = _householdStart[household]; i < _householdStart[household + 1]; i++)
            if (Phone(i) is { } phone) return phone;
        return null;
    }

    public string HouseholdReference(int index) => $"lt{Cohort}-{_residents[index].Household}";

    /// <summary>Splits the residents into ranges of about <paramref name="size"/> that never cut a household.</summary>
    public List<(int Start, int End)> Chunks(int size)
    {
        var chunks = new List<(int, int)>();
        var start = 0;
        for (var h = 1; h < _householdStart.Length; h++)
        {
            var end = _householdStart[h];
            if (end - start >= size || h == _householdStart.Length - 1)
            {
                if (end > start) chunks.Add((start, end));
                start = end;
            }
        }
        return chunks;
    }

    public const string CsvHeader = "household,name,id_number,phone,village_code,head";

    public byte[] Csv(int start, int end)
    {
        var sb = new StringBuilder((end - start) * 72 + 64);
        sb.Append(CsvHeader).Append('\n');
        for (var i = start; i < end; i++)
        {
            sb.Append(HouseholdReference(i)).Append(',')
              .Append(Name(i)).Append(',')
              .Append(IdNumber(i)).Append(',')
              .Append(Phone(i)).Append(',')
              .Append(VillageCode(i)).Append(',')
              .Append(_residents[i].Head ? "true" : "false").Append('\n');
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>A seeded permutation of 0..n-1 (Fisher-Yates), so phases visit residents in a city-wide random order.</summary>
    public static int[] Permutation(int n, ulong seed)
    {
        var a = new int[n];
        for (var i = 0; i < n; i++) a[i] = i;
        var rng = new SplitMix64(seed);
        for (var i = n - 1; i > 0; i--)
        {
            var j = (int)(rng.Next() % (ulong)(i + 1));
            (a[i], a[j]) = (a[j], a[i]);
        }
        return a;
    }

    public int AdultsWithPhone() => _residents.Count(r => r.HasPhone);
}

public static class ResidentExtensions
{
    /// <summary>GB 11643: odd sequence numbers are men.</summary>
    public static bool IsMale(this in Resident r) => r.Sequence % 2 == 1;
}
