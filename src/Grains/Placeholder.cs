namespace Sanmenxia.Grains; internal static class Placeholder {}
