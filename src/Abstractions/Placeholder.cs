namespace Sanmenxia; internal static class Placeholder {}
