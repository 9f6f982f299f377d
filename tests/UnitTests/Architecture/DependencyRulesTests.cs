using System.Xml.Linq;

namespace Sanmenxia.UnitTests.Architecture;

/// <summary>
/// The layering of README "Architecture in a page", read from the project files under src/: Abstractions holds the
/// contracts and pure rules and depends on nothing of ours; grains know contracts, not hosts or storage; storage does
/// not know grains. (That the API uses no grain implementation type is checked on its compiled assembly in
/// IntegrationTests/Architecture.)
/// </summary>
public sealed class DependencyRulesTests
{
    private const string Abstractions = "Sanmenxia.Abstractions";
    private const string Grains = "Sanmenxia.Grains";
    private const string Persistence = "Sanmenxia.Persistence";
    private const string Silo = "Sanmenxia.Silo";
    private const string Api = "Sanmenxia.Api";

    private static readonly string RepoRoot = FindRepoRoot();
    private static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> References = ReadProjectReferences();

    [Fact]
    public void The_project_graph_is_read_from_the_project_files()
    {
        // Guards the rules below against passing on an empty or misread graph.
        Assert.Subset(References.Keys.ToHashSet(), new HashSet<string> { Abstractions, Grains, Persistence, Silo, Api });
        Assert.Contains(Grains, References[Silo]);
        Assert.Contains(Abstractions, References[Grains]);
        Assert.Contains(Abstractions, Closure(Api));
    }

    [Fact]
    public void Abstractions_references_no_project_of_ours() => Assert.Empty(References[Abstractions]);

    [Fact]
    public void Grains_never_reference_the_api_the_silo_host_or_persistence()
    {
        var closure = Closure(Grains);

        Assert.DoesNotContain(Api, closure);
        Assert.DoesNotContain(Silo, closure);
        Assert.DoesNotContain(Persistence, closure);
    }

    [Fact]
    public void Persistence_never_references_grains() => Assert.DoesNotContain(Grains, Closure(Persistence));

    [Fact]
    public void No_hand_written_source_file_reaches_400_lines()
    {
        var sources = Directory.EnumerateFiles(Path.Combine(RepoRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepoRoot, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/") && !f.Contains("/wwwroot/lib/")
                        && !f.EndsWith(".g.cs", StringComparison.Ordinal) && !f.EndsWith(".Designer.cs", StringComparison.Ordinal))
            .Select(f => (File: f, Lines: File.ReadAllLines(Path.Combine(RepoRoot, f)).Length))
            .ToList();
        Assert.NotEmpty(sources);

        var tooLong = sources.Where(s => s.Lines >= 400).OrderByDescending(s => s.Lines).Select(s => $"{s.File} ({s.Lines} lines)").ToList();

        Assert.True(tooLong.Count == 0, "Split these files: " + string.Join(", ", tooLong));
    }

    /// <summary>A project and everything it references, transitively, without itself.</summary>
    private static HashSet<string> Closure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(References[project]);
        while (pending.TryPop(out var next))
            if (seen.Add(next) && References.TryGetValue(next, out var further))
                foreach (var f in further) pending.Push(f);
        return seen;
    }

    /// <summary>Project name (file name without .csproj) → the names of the projects it references.</summary>
    private static Dictionary<string, IReadOnlySet<string>> ReadProjectReferences() =>
        Directory.EnumerateFiles(Path.Combine(RepoRoot, "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .ToDictionary(
                f => Path.GetFileNameWithoutExtension(f),
                f => (IReadOnlySet<string>)XDocument.Load(f).Descendants()
                    .Where(e => e.Name.LocalName == "ProjectReference")
                    .Select(e => (string?)e.Attribute("Include"))
                    .OfType<string>()
                    .Select(include => Path.GetFileNameWithoutExtension(include.Replace('\\', '/')))
                    .ToHashSet(StringComparer.Ordinal),
                StringComparer.Ordinal);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sanmenxia.Orleans.sln"))) return dir.FullName;
        throw new InvalidOperationException($"Sanmenxia.Orleans.sln not found above {AppContext.BaseDirectory}");
    }
}
