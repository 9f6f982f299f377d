using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Sanmenxia.Silo.Hosting;

namespace Sanmenxia.IntegrationTests.Cluster;

/// <summary>
/// Orleans adapts each probe's timeout to the answer times it has seen, up to MaxProbeTimeout (4 × ProbeTimeout unless
/// set). On a loaded machine that default let three missed probes take ~13 s, past the 10 s goal for a hung silo, so the
/// silo caps it (issue 21, item 1). These tests read the options a silo would run with, without starting it.
/// </summary>
public sealed class FailureDetectionSettingsTests
{
    private static ClusterMembershipOptions MembershipOptionsFor(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo => silo.UseLocalhostClustering().AddSanmenxiaFailureDetection(builder.Configuration));
        using var host = builder.Build();
        return host.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
    }

    [Fact]
    public void By_default_a_probe_waits_at_most_two_seconds_so_three_missed_probes_fit_the_hung_silo_goal()
    {
        var options = MembershipOptionsFor([]);

        Assert.Equal(TimeSpan.FromSeconds(1), options.ProbeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(2), options.MaxProbeTimeout);
        Assert.True(options.NumMissedProbesLimit * options.MaxProbeTimeout <= TimeSpan.FromSeconds(6),
            $"{options.NumMissedProbesLimit} probes × {options.MaxProbeTimeout} leave no room in the 10 s goal for the vote and the client's gateway refresh");
        Assert.False(options.EnableIndirectProbes);
    }

    [Fact]
    public void The_cap_is_configurable_and_never_below_the_initial_probe_timeout()
    {
        var raised = MembershipOptionsFor(new() { ["Orleans:FailureDetection:MaxProbeTimeout"] = "00:00:03" });
        Assert.Equal(TimeSpan.FromSeconds(3), raised.MaxProbeTimeout);

        var inverted = MembershipOptionsFor(new()
        {
            ["Orleans:FailureDetection:ProbeTimeout"] = "00:00:02",
            ["Orleans:FailureDetection:MaxProbeTimeout"] = "00:00:01",
        });
        Assert.Equal(TimeSpan.FromSeconds(2), inverted.MaxProbeTimeout);
    }
}
