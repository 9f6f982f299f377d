using Sanmenxia.HealthCode;
using Sanmenxia.KeyPersons;

namespace Sanmenxia.UnitTests.KeyPersons;

/// <summary>
/// docs/domain.md: "the code is red (isolation, close contact) or yellow (fever with no exposure)". A fever-with-no-
/// exposure entry is yellow whatever its measure, its fever ends with it, and its period ends like any other.
/// </summary>
public class FeverEntryColourTests
{
    private static readonly HealthCodePolicy Policy = HealthCodePolicy.Default;
    private static readonly DateOnly FeverDay = new(2020, 2, 10);

    private static KeyPersonEntry FeverEntry(ControlMeasure measure) => new()
    {
        Id = "f1", Category = KeyPersonCategory.FeverNoExposure, Status = KeyPersonStatus.Open, ExposureDate = FeverDay,
        Measure = measure, ObservationEndsOn = ObservationRules.EndsOn(Policy, FeverDay), OpenedOn = FeverDay,
        Source = "village staff", CreatedAt = new DateTimeOffset(2020, 2, 10, 9, 0, 0, TimeSpan.FromHours(8)), CreatedBy = "staff-1",
    };

    [Theory]
    [InlineData(ControlMeasure.None)]
    [InlineData(ControlMeasure.MedicalObservation)]
    [InlineData(ControlMeasure.HomeIsolation)]
    [InlineData(ControlMeasure.CentralIsolation)]
    public void A_fever_with_no_exposure_is_yellow_whatever_its_measure(ControlMeasure measure)
    {
        var blockers = ObservationRules.BlockersOf(FeverEntry(measure));

        Assert.Equal(Blocker.Fever, blockers);
        Assert.Equal(CodeColour.Yellow, HealthCodeRules.BlockerColour(Policy, blockers));
    }

    [Fact]
    public void Other_categories_keep_the_colour_of_their_measure()
    {
        var returnee = FeverEntry(ControlMeasure.MedicalObservation) with { Category = KeyPersonCategory.FromHubei };

        Assert.Equal(Blocker.Observation, ObservationRules.BlockersOf(returnee));
        Assert.Equal(CodeColour.Red, HealthCodeRules.BlockerColour(Policy, ObservationRules.BlockersOf(returnee)));
    }

    [Fact]
    public void A_fever_entry_with_no_measure_ends_on_its_date_like_the_others()
    {
        var entry = FeverEntry(ControlMeasure.None);
        Assert.True(entry.RequiresObservation);

        Assert.Equal(KeyPersonStatus.Open, ObservationRules.Evaluate(Policy, entry, entry.ObservationEndsOn.AddDays(-1)).Status);
        var ended = ObservationRules.Evaluate(Policy, entry, entry.ObservationEndsOn);
        Assert.Equal((KeyPersonStatus.Released, entry.ObservationEndsOn, CloseCause.PeriodCompleted), (ended.Status, ended.ClosedOn, ended.ClosedBy));
        Assert.Equal(Blocker.None, ObservationRules.BlockersOf(ended));
    }

    [Fact]
    public void Returnees_with_no_measure_are_still_not_observed()
    {
        Assert.False((FeverEntry(ControlMeasure.None) with { Category = KeyPersonCategory.FromOutsideCity }).RequiresObservation);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_fever_of_an_entry_ends_with_it_and_a_fever_reported_at_clock_in_stays(bool feverAtClockIn)
    {
        var register = new KeyPersonRegister([], new(StringComparer.Ordinal), Policy);
        var now = new DateTimeOffset(2020, 2, 10, 9, 0, 0, TimeSpan.FromHours(8));
        var entry = register.Add(new NewKeyPersonEntry(KeyPersonCategory.FeverNoExposure, FeverDay, null, ControlMeasure.MedicalObservation,
            null, null, "village staff", Pending: false), "f1", "staff-1", now, FeverDay).Entry;
        Assert.Equal(Blocker.Fever, register.CodeBlockers(feverAtClockIn));

        register.ReleaseEarly(entry.Id, "seen well, tested negative", "staff-1", FeverDay.AddDays(2));

        Assert.Equal(feverAtClockIn ? Blocker.Fever : Blocker.None, register.CodeBlockers(feverAtClockIn));
    }
}
