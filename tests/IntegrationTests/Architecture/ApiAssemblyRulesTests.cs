using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Sanmenxia.IntegrationTests.Architecture;

/// <summary>
/// The API talks to the cluster through grain interfaces (Sanmenxia.Abstractions) only: its compiled assembly refers
/// to no type defined in Sanmenxia.Grains. Read from the metadata of the built Sanmenxia.Api.dll, so a use through
/// any syntax (a using, a fully qualified name, an attribute argument) is caught.
/// </summary>
public sealed class ApiAssemblyRulesTests
{
    private static readonly string ApiAssemblyPath = typeof(Sanmenxia.Api.Residents.HealthCodeQr).Assembly.Location;

    [Fact]
    public void The_api_assembly_refers_to_the_abstractions_assembly()
    {
        // Guards the rule below: the reader sees type references and their assemblies.
        Assert.Contains(("Sanmenxia.Abstractions", "Sanmenxia.Residents.IResidentGrain"), TypeReferencesByAssembly());
    }

    [Fact]
    public void The_api_uses_no_type_of_the_grains_assembly()
    {
        var used = TypeReferencesByAssembly().Where(r => r.Assembly == "Sanmenxia.Grains").Select(r => r.Type).Distinct().Order().ToList();

        Assert.True(used.Count == 0, "Sanmenxia.Api refers to Sanmenxia.Grains types: " + string.Join(", ", used));
    }

    /// <summary>Every TypeReference of the API assembly with the assembly it resolves to (nested types by their outermost type's scope).</summary>
    private static List<(string Assembly, string Type)> TypeReferencesByAssembly()
    {
        using var stream = File.OpenRead(ApiAssemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var result = new List<(string, string)>();
        foreach (var handle in metadata.TypeReferences)
        {
            var reference = metadata.GetTypeReference(handle);
            var name = metadata.GetString(reference.Name);
            var outer = reference;
            while (outer.ResolutionScope.Kind == HandleKind.TypeReference)
            {
                outer = metadata.GetTypeReference((TypeReferenceHandle)outer.ResolutionScope);
                name = metadata.GetString(outer.Name) + "+" + name;
            }
            var ns = metadata.GetString(outer.Namespace);
            if (outer.ResolutionScope.Kind != HandleKind.AssemblyReference) continue;
            var assembly = metadata.GetString(metadata.GetAssemblyReference((AssemblyReferenceHandle)outer.ResolutionScope).Name);
            result.Add((assembly, ns.Length == 0 ? name : $"{ns}.{name}"));
        }
        return result;
    }
}
