namespace Sanmenxia.Persistence; internal static class Placeholder {}
