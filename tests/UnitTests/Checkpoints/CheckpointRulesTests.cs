using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Sanmenxia.Checkpoints;
using Sanmenxia.HealthCode;
using Sanmenxia.Regions;

namespace Sanmenxia.UnitTests.Checkpoints;

// docs/domain.md platform 5 and the checkpoint policy (choice): green always passes; by default red is refused, yellow and
// no code are to be checked; each checkpoint may configure its own.
public sealed class CheckpointRulesTests
{
    private static readonly Arbitrary<ColourAction> Actions = Gen.Elements(Enum.GetValues<ColourAction>()).ToArbitrary();

    private static readonly Arbitrary<CheckpointPolicy> Policies =
        (from red in Actions.Generator
         from yellow in Actions.Generator
         from none in Actions.Generator
         select new CheckpointPolicy { Red = red, Yellow = yellow, NoCode = none }).ToArbitrary();

    private static readonly Arbitrary<CodeColour> Colours = Gen.Elements(Enum.GetValues<CodeColour>()).ToArbitrary();

    [Theory]
    [InlineData(CodeColour.Green, PassOutcome.Allowed, "green.allowed")]
    [InlineData(CodeColour.Yellow, PassOutcome.Check, "yellow.check")]
    [InlineData(CodeColour.Red, PassOutcome.Refused, "red.refused")]
    [InlineData(CodeColour.None, PassOutcome.Check, "none.check")]
    public void The_default_policy_refuses_red_and_checks_yellow_and_no_code(CodeColour colour, PassOutcome outcome, string reason) =>
        Assert.Equal((outcome, reason), CheckpointRules.Decide(CheckpointPolicy.Default, colour));

    [Theory]
    [InlineData(CodeColour.Green, 37.3, PassOutcome.Refused, "fever.refused")]
    [InlineData(CodeColour.Green, 39.0, PassOutcome.Refused, "fever.refused")]
    [InlineData(CodeColour.Yellow, 38.1, PassOutcome.Refused, "fever.refused")]
    [InlineData(CodeColour.Green, 37.2, PassOutcome.Allowed, "green.allowed")]
    [InlineData(CodeColour.Yellow, 36.5, PassOutcome.Check, "yellow.check")]
    [InlineData(CodeColour.Red, 36.5, PassOutcome.Refused, "red.refused")]
    public void A_fever_measured_at_the_gate_refuses_whatever_the_colour_and_a_normal_reading_changes_nothing(
        CodeColour colour, double temperature, PassOutcome outcome, string reason) =>
        Assert.Equal((outcome, reason), CheckpointRules.Decide(CheckpointPolicy.Default, colour, (decimal)temperature, 37.3m));

    [Property]
    public Property Without_a_temperature_the_decision_is_the_colours() =>
        Prop.ForAll(Policies, Colours, (policy, colour) =>
            CheckpointRules.Decide(policy, colour, null, 37.3m) == CheckpointRules.Decide(policy, colour));

    [Fact]
    public void The_fever_refusal_is_explained_in_plain_words() =>
        Assert.Contains("fever clinic", CheckpointRules.Explain(CheckpointRules.FeverRefused));

    [Fact]
    public void A_configured_policy_changes_the_decision()
    {
        var strict = new CheckpointPolicy { Yellow = ColourAction.Refuse, NoCode = ColourAction.Refuse };

        Assert.Equal((PassOutcome.Refused, "yellow.refused"), CheckpointRules.Decide(strict, CodeColour.Yellow));
        Assert.Equal((PassOutcome.Refused, "none.refused"), CheckpointRules.Decide(strict, CodeColour.None));
        Assert.Equal((PassOutcome.Check, "red.check"), CheckpointRules.Decide(CheckpointPolicy.Default with { Red = ColourAction.Check }, CodeColour.Red));
    }

    [Property]
    public Property Green_is_allowed_whatever_the_policy() =>
        Prop.ForAll(Policies, p => CheckpointRules.Decide(p, CodeColour.Green) == (PassOutcome.Allowed, "green.allowed"));

    [Property]
    public Property Every_decision_has_an_explanation_for_staff() =>
        Prop.ForAll(Policies, Colours, (p, colour) =>
        {
            var (outcome, reason) = CheckpointRules.Decide(p, colour);
            return CheckpointRules.Explain(reason) != reason && reason.EndsWith("." + outcome.ToString().ToLowerInvariant(), StringComparison.Ordinal);
        });

    [Fact]
    public void An_unknown_reason_code_explains_as_itself() => Assert.Equal("x.y", CheckpointRules.Explain("x.y"));

    // ------------------------------------------------------------------ policy text

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_policy_text_is_the_default(string? text)
    {
        Assert.True(CheckpointPolicy.TryParse(text, out var policy, out var error));
        Assert.Null(error);
        Assert.Equal(CheckpointPolicy.Default, policy);
    }

    [Theory]
    [InlineData("red=check;yellow=allow;none=refuse")]
    [InlineData("none:refuse | YELLOW=Allow ; red=check")]
    [InlineData("yellow=allow none=refuse red=check")]
    public void Policy_text_takes_any_order_separator_and_case(string text)
    {
        Assert.True(CheckpointPolicy.TryParse(text, out var policy, out var error), error);
        Assert.Equal(new CheckpointPolicy { Red = ColourAction.Check, Yellow = ColourAction.Allow, NoCode = ColourAction.Refuse }, policy);
    }

    [Fact]
    public void A_partial_policy_text_keeps_the_defaults_for_the_other_colours()
    {
        Assert.True(CheckpointPolicy.TryParse("yellow=refuse", out var policy, out _));
        Assert.Equal(CheckpointPolicy.Default with { Yellow = ColourAction.Refuse }, policy);
    }

    [Theory]
    [InlineData("red=maybe", "'red=maybe' is not colour=action")]
    [InlineData("red", "'red' is not colour=action")]
    [InlineData("red=7", "'red=7' is not colour=action")]
    [InlineData("green=refuse", "'green' is not a colour")]
    [InlineData("red=refuse;blue=allow", "'blue' is not a colour")]
    public void Invalid_policy_text_is_refused_with_the_offending_part(string text, string expected)
    {
        Assert.False(CheckpointPolicy.TryParse(text, out _, out var error));
        Assert.StartsWith(expected, error);
    }

    [Property]
    public Property A_policy_reads_back_from_its_text() =>
        Prop.ForAll(Policies, p => CheckpointPolicy.TryParse(p.ToString(), out var parsed, out _) && parsed == p);

    // ------------------------------------------------------------------ ids and targets

    [Theory]
    [InlineData("cp-411202001-0001", true)]
    [InlineData("cp-a", true)]
    [InlineData("CP-411202001-0001", false)]
    [InlineData("cp-", false)]
    [InlineData("cp--1", false)]
    [InlineData("cp-4112_01", false)]
    [InlineData("411202001-0001", false)]
    [InlineData(null, false)]
    public void Checkpoint_ids_are_lower_case_cp_names(string? id, bool valid) => Assert.Equal(valid, CheckpointRules.IsValidId(id));

    [Fact]
    public void Checkpoint_ids_are_at_most_sixty_six_characters()
    {
        Assert.True(CheckpointRules.IsValidId("cp-" + new string('a', 63)));
        Assert.False(CheckpointRules.IsValidId("cp-" + new string('a', 64)));
    }

    [Fact]
    public void A_village_checkpoint_reports_to_its_township_and_others_to_their_own_region()
    {
        Assert.Equal(RegionCode.Parse("411202001"), CheckpointRules.ReportTarget(RegionCode.Parse("411202001002")));
        Assert.Equal(RegionCode.Parse("411202001"), CheckpointRules.ReportTarget(RegionCode.Parse("411202001")));
        Assert.Equal(RegionCode.Parse("411202"), CheckpointRules.ReportTarget(RegionCode.Parse("411202")));
        Assert.Equal(RegionCode.Parse("411200"), CheckpointRules.ReportTarget(RegionCode.Parse("411200")));
    }
}

// Today's counters of one checkpoint: entries and exits that passed, flagged people seen, refusals and duplicates.
public sealed class CheckpointDayCountsTests
{
    private static readonly DateOnly Day = new(2020, 2, 10);

    private static PassRecord Pass(PassDirection direction, CodeColour colour, PassOutcome outcome, bool duplicate = false) =>
        new(Guid.NewGuid(), "cp-411202001-0001", "411202001", "rkey", "张*", direction,
            new DateTimeOffset(2020, 2, 10, 9, 0, 0, TimeSpan.FromHours(8)), colour, outcome, "x", "staff", PassMethod.Qr,
            duplicate ? Guid.NewGuid() : null);

    [Fact]
    public void Allowed_and_checked_passes_count_as_entries_and_exits_by_direction()
    {
        var counts = CheckpointDayCounts.Empty(Day)
            .Add(Pass(PassDirection.In, CodeColour.Green, PassOutcome.Allowed))
            .Add(Pass(PassDirection.In, CodeColour.Yellow, PassOutcome.Check))
            .Add(Pass(PassDirection.Out, CodeColour.Green, PassOutcome.Allowed));

        Assert.Equal(new CheckpointDayCounts { Day = Day, Entries = 2, Exits = 1, YellowSeen = 1, Passes = 3 }, counts);
    }

    [Fact]
    public void A_refused_person_did_not_pass_but_is_seen_and_counted_as_refused()
    {
        var counts = CheckpointDayCounts.Empty(Day).Add(Pass(PassDirection.In, CodeColour.Red, PassOutcome.Refused));

        Assert.Equal(new CheckpointDayCounts { Day = Day, RedSeen = 1, Refused = 1, Passes = 1 }, counts);
    }

    [Fact]
    public void A_duplicate_scan_counts_only_as_a_duplicate()
    {
        var counts = CheckpointDayCounts.Empty(Day)
            .Add(Pass(PassDirection.In, CodeColour.Red, PassOutcome.Refused))
            .Add(Pass(PassDirection.In, CodeColour.Red, PassOutcome.Refused, duplicate: true));

        Assert.Equal(new CheckpointDayCounts { Day = Day, RedSeen = 1, Refused = 1, Passes = 1, Duplicates = 1 }, counts);
    }

    [Fact]
    public void Totals_carry_the_counts_and_add_up()
    {
        var a = CheckpointDayCounts.Empty(Day).Add(Pass(PassDirection.In, CodeColour.Yellow, PassOutcome.Check)).ToTotals();
        var b = CheckpointDayCounts.Empty(Day).Add(Pass(PassDirection.Out, CodeColour.Red, PassOutcome.Refused)).ToTotals();

        Assert.Equal(new CheckpointTotals { Entries = 1, YellowSeen = 1, PassesToday = 1 }, a);
        Assert.Equal(new CheckpointTotals { Entries = 1, Refused = 1, RedSeen = 1, YellowSeen = 1, PassesToday = 2 }, a + b);
        Assert.Equal(a, a + CheckpointTotals.Zero);
    }

    private static readonly Arbitrary<PassRecord[]> Passes =
        (from direction in Gen.Elements(PassDirection.In, PassDirection.Out)
         from colour in Gen.Elements(Enum.GetValues<CodeColour>())
         from outcome in Gen.Elements(Enum.GetValues<PassOutcome>())
         from duplicate in Gen.Elements(false, false, true)
         select Pass(direction, colour, outcome, duplicate)).ArrayOf().ToArbitrary();

    [Property]
    public Property Every_pass_is_counted_once_as_passed_refused_or_duplicate() =>
        Prop.ForAll(Passes, passes =>
        {
            var counts = passes.Aggregate(CheckpointDayCounts.Empty(Day), (c, p) => c.Add(p));
            return counts.Passes + counts.Duplicates == passes.Length
                   && counts.Entries + counts.Exits + counts.Refused == counts.Passes
                   && counts.RedSeen + counts.YellowSeen <= counts.Passes
                   && counts.Day == Day;
        });

    [Property]
    public Property Counting_in_any_order_gives_the_same_counters() =>
        Prop.ForAll(Passes, passes =>
            passes.Aggregate(CheckpointDayCounts.Empty(Day), (c, p) => c.Add(p))
            == passes.Reverse().Aggregate(CheckpointDayCounts.Empty(Day), (c, p) => c.Add(p)));
}

// The deterministic checkpoint set over a region tree, in the real system's proportions (4,136 for ~2,700 villages).
public sealed class CheckpointPlanTests
{
    private static readonly IReadOnlyList<RegionInfo> Tree = SanmenxiaRegions.GenerateSyntheticTree();

    [Fact]
    public void The_default_target_scales_the_real_4136_checkpoints_to_the_tree()
    {
        Assert.Equal(4136, CheckpointPlan.DefaultTarget(2700));
        Assert.Equal(2068, CheckpointPlan.DefaultTarget(1350));
        Assert.Equal(0, CheckpointPlan.DefaultTarget(0));
    }

    [Fact]
    public void The_plan_meets_the_target_with_unique_valid_ids_within_known_regions()
    {
        var villages = Tree.Count(r => r.Level == RegionLevel.Village);

        var plan = CheckpointPlan.Generate(Tree);

        Assert.Equal(CheckpointPlan.DefaultTarget(villages), plan.Count);
        Assert.Equal(plan.Count, plan.Select(c => c.Id).Distinct().Count());
        Assert.All(plan, c => Assert.True(CheckpointRules.IsValidId(c.Id), c.Id));
        Assert.All(plan, c => Assert.StartsWith($"cp-{c.Region.Value}-", c.Id));
        var codes = Tree.Select(r => r.Code).ToHashSet();
        Assert.All(plan, c => Assert.Contains(c.Region, codes));
    }

    [Fact]
    public void Every_level_gets_its_minimum_and_the_extra_go_to_the_most_populous_villages()
    {
        var plan = CheckpointPlan.Generate(Tree);
        var perRegion = plan.GroupBy(c => c.Region).ToDictionary(g => g.Key, g => g.Count());

        foreach (var r in Tree)
        {
            var minimum = r.Level switch { RegionLevel.City => 4, RegionLevel.County => 6, RegionLevel.Township => 2, _ => 1 };
            Assert.True(perRegion[r.Code] >= minimum, $"{r.Code} has {perRegion[r.Code]}");
            if (r.Level != RegionLevel.Village) Assert.Equal(minimum, perRegion[r.Code]);
        }
        var villages = Tree.Where(r => r.Level == RegionLevel.Village).ToList();
        var largest = villages.MaxBy(v => v.Population)!;
        var smallest = villages.MinBy(v => v.Population)!;
        Assert.True(perRegion[largest.Code] >= perRegion[smallest.Code]);
        Assert.True(perRegion[largest.Code] > 1);
    }

    [Fact]
    public void The_same_tree_always_gives_the_same_checkpoints_whatever_the_order()
    {
        var shuffled = Tree.Reverse().ToList();

        Assert.Equal(CheckpointPlan.Generate(Tree), CheckpointPlan.Generate(shuffled));
    }

    [Fact]
    public void A_target_below_the_minimum_keeps_the_minimum_and_a_larger_one_is_met()
    {
        var minimum = Tree.Sum(r => r.Level switch { RegionLevel.City => 4, RegionLevel.County => 6, RegionLevel.Township => 2, _ => 1 });

        Assert.Equal(minimum, CheckpointPlan.Generate(Tree, target: 10).Count);
        Assert.Equal(minimum + 7, CheckpointPlan.Generate(Tree, target: minimum + 7).Count);
    }

    [Fact]
    public void City_checkpoints_are_the_stations_and_the_bridge()
    {
        var city = CheckpointPlan.Generate(Tree).Where(c => c.Region == SanmenxiaRegions.CityCode).ToList();

        Assert.Equal(["cp-411200-0001", "cp-411200-0002", "cp-411200-0003", "cp-411200-0004"], city.Select(c => c.Id));
        Assert.Contains("火车站", city[0].Name);
        Assert.Contains("黄河大桥", city[3].Name);
    }
}
