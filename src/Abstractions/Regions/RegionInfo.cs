namespace Sanmenxia.Regions;

// One node of the administrative tree. Population is synthetic for generated trees and summed upward
// (a township's population is the sum of its villages).
[GenerateSerializer, Immutable, Alias("sanmenxia.RegionInfo")]
public sealed record RegionInfo(
    [Id(0)] RegionCode Code,
    [Id(1)] string Name,
    [Id(2)] string Pinyin,
    [Id(3)] RegionLevel Level,
    [Id(4)] RegionCode? ParentCode,
    [Id(5)] int Population);

// A real division with its official Chinese name and its pinyin.
[GenerateSerializer, Immutable, Alias("sanmenxia.NamedRegion")]
public sealed record NamedRegion([Id(0)] RegionCode Code, [Id(1)] string Name, [Id(2)] string Pinyin);
