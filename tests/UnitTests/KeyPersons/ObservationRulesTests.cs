using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Sanmenxia.HealthCode;
using Sanmenxia.KeyPersons;

namespace Sanmenxia.UnitTests.KeyPersons;

// docs/domain.md: observation lasts 14 days from the last exposure (configurable); release needs the period to pass and no
// fever, and is recorded. Evaluated from dates, so a late or missed reminder tick gives the same result.
public sealed class ObservationRulesTests
{
    private static readonly HealthCodePolicy Policy = HealthCodePolicy.Default;
    private static readonly DateOnly Exposure = new(2020, 2, 1);

    internal static KeyPersonEntry Entry(
        KeyPersonCategory category = KeyPersonCategory.FromWuhan,
        ControlMeasure measure = ControlMeasure.HomeIsolation,
        KeyPersonStatus status = KeyPersonStatus.Open,
        DateOnly? exposure = null,
        HealthCodePolicy? policy = null) => new()
        {
            Id = "e1",
            Category = category,
            Status = status,
            ExposureDate = exposure ?? Exposure,
            Measure = measure,
            ObservationEndsOn = ObservationRules.EndsOn(policy ?? Policy, exposure ?? Exposure),
            OpenedOn = status == KeyPersonStatus.Open ? exposure ?? Exposure : null,
            Source = "test",
            CreatedAt = new DateTimeOffset(2020, 2, 1, 9, 0, 0, TimeSpan.FromHours(8)),
            CreatedBy = "staff",
        };

    [Fact]
    public void The_period_ends_the_configured_number_of_days_after_the_exposure()
    {
        Assert.Equal(new DateOnly(2020, 2, 15), ObservationRules.EndsOn(Policy, Exposure));
        Assert.Equal(new DateOnly(2020, 2, 8), ObservationRules.EndsOn(Policy with { ObservationDays = 7 }, Exposure));
        // Across a month end (2020 is a leap year).
        Assert.Equal(new DateOnly(2020, 3, 1), ObservationRules.EndsOn(Policy, new DateOnly(2020, 2, 16)));
    }

    [Fact]
    public void An_entry_stays_open_through_the_last_day_before_its_end()
    {
        var entry = Entry();

        var dayBefore = ObservationRules.Evaluate(Policy, entry, new DateOnly(2020, 2, 14));

        Assert.Same(entry, dayBefore);
        Assert.Equal(KeyPersonStatus.Open, dayBefore.Status);
    }

    [Fact]
    public void An_entry_without_symptoms_is_released_on_the_day_its_period_ends()
    {
        var released = ObservationRules.Evaluate(Policy, Entry(), new DateOnly(2020, 2, 15));

        Assert.Equal(KeyPersonStatus.Released, released.Status);
        Assert.Equal(new DateOnly(2020, 2, 15), released.ClosedOn);
        Assert.Contains("14 days", released.CloseReason);
        Assert.False(released.NeedsReview);
        Assert.Equal(Blocker.None, ObservationRules.BlockersOf(released));
    }

    [Fact]
    public void A_late_evaluation_records_the_release_on_the_period_end_not_on_the_evaluation_day()
    {
        var released = ObservationRules.Evaluate(Policy, Entry(), new DateOnly(2020, 3, 20));

        Assert.Equal(KeyPersonStatus.Released, released.Status);
        Assert.Equal(new DateOnly(2020, 2, 15), released.ClosedOn);
    }

    [Fact]
    public void A_symptom_in_the_period_extends_it_from_the_symptom_day_and_flags_the_entry()
    {
        var sick = ObservationRules.RecordSymptom(Entry(), new DateOnly(2020, 2, 10));

        var evaluated = ObservationRules.Evaluate(Policy, sick, new DateOnly(2020, 2, 15));

        Assert.Equal(KeyPersonStatus.Open, evaluated.Status);
        Assert.Equal(new DateOnly(2020, 2, 24), evaluated.ObservationEndsOn);
        Assert.True(evaluated.NeedsReview);
        Assert.Null(evaluated.ClosedOn);
        Assert.Equal(Blocker.Isolation, ObservationRules.BlockersOf(evaluated));
    }

    [Fact]
    public void A_symptom_on_the_last_day_of_the_period_extends_it()
    {
        var sick = ObservationRules.RecordSymptom(Entry(), new DateOnly(2020, 2, 14));

        var evaluated = ObservationRules.Evaluate(Policy, sick, new DateOnly(2020, 2, 15));

        Assert.Equal(KeyPersonStatus.Open, evaluated.Status);
        Assert.Equal(new DateOnly(2020, 2, 28), evaluated.ObservationEndsOn);
    }

    [Fact]
    public void A_symptom_on_the_exposure_day_still_extends_the_period()
    {
        var sick = ObservationRules.RecordSymptom(Entry(), Exposure);

        var evaluated = ObservationRules.Evaluate(Policy, sick, new DateOnly(2020, 2, 15));

        Assert.Equal(KeyPersonStatus.Open, evaluated.Status);
        Assert.True(evaluated.ObservationEndsOn > new DateOnly(2020, 2, 15));
        Assert.True(evaluated.NeedsReview);
    }

    [Fact]
    public void A_symptom_before_the_period_does_not_hold_the_release()
    {
        var entry = Entry() with { LastSymptomDay = new DateOnly(2020, 1, 31) };

        var evaluated = ObservationRules.Evaluate(Policy, entry, new DateOnly(2020, 2, 15));

        Assert.Equal(KeyPersonStatus.Released, evaluated.Status);
        Assert.Equal(new DateOnly(2020, 2, 15), evaluated.ClosedOn);
    }

    [Fact]
    public void After_a_long_outage_an_extension_that_has_also_ended_is_released_as_with_daily_ticks()
    {
        var sick = ObservationRules.RecordSymptom(Entry(), new DateOnly(2020, 2, 10));
        var ticked = sick;
        for (var day = new DateOnly(2020, 2, 2); day <= new DateOnly(2020, 4, 1); day = day.AddDays(1))
            ticked = ObservationRules.Evaluate(Policy, ticked, day);

        var evaluated = ObservationRules.Evaluate(Policy, sick, new DateOnly(2020, 4, 1));

        Assert.Equal(KeyPersonStatus.Released, evaluated.Status);
        Assert.Equal(ticked, evaluated);
        Assert.True(evaluated.ClosedOn >= new DateOnly(2020, 2, 24));
        Assert.True(evaluated.NeedsReview);
    }

    [Fact]
    public void An_extended_period_ends_on_the_day_it_shows()
    {
        var extended = ObservationRules.Evaluate(Policy, ObservationRules.RecordSymptom(Entry(), new DateOnly(2020, 2, 10)), new DateOnly(2020, 2, 15));
        Assert.Equal(new DateOnly(2020, 2, 24), extended.ObservationEndsOn);

        var released = ObservationRules.Evaluate(Policy, extended, extended.ObservationEndsOn);

        Assert.Equal(KeyPersonStatus.Released, released.Status);
        Assert.Equal(new DateOnly(2020, 2, 24), released.ClosedOn);
    }

    [Theory]
    [InlineData(KeyPersonStatus.Pending, ControlMeasure.HomeIsolation)]
    [InlineData(KeyPersonStatus.Dismissed, ControlMeasure.CentralIsolation)]
    [InlineData(KeyPersonStatus.Open, ControlMeasure.None)]
    public void Entries_that_require_no_observation_are_never_released_by_the_clock(KeyPersonStatus status, ControlMeasure measure)
    {
        var entry = Entry(status: status, measure: measure);

        Assert.Same(entry, ObservationRules.Evaluate(Policy, entry, new DateOnly(2020, 6, 1)));
    }

    [Fact]
    public void A_configured_shorter_period_releases_earlier()
    {
        var policy = Policy with { ObservationDays = 7 };
        var entry = Entry(policy: policy);

        Assert.Equal(KeyPersonStatus.Open, ObservationRules.Evaluate(policy, entry, new DateOnly(2020, 2, 7)).Status);
        var released = ObservationRules.Evaluate(policy, entry, new DateOnly(2020, 2, 8));
        Assert.Equal(KeyPersonStatus.Released, released.Status);
        Assert.Contains("7 days", released.CloseReason);
    }

    [Fact]
    public void Recording_symptoms_keeps_the_latest_day_and_only_on_open_entries()
    {
        var entry = Entry();

        var later = ObservationRules.RecordSymptom(ObservationRules.RecordSymptom(entry, new DateOnly(2020, 2, 5)), new DateOnly(2020, 2, 9));
        var notBack = ObservationRules.RecordSymptom(later, new DateOnly(2020, 2, 3));

        Assert.Equal(new DateOnly(2020, 2, 9), later.LastSymptomDay);
        Assert.Same(later, notBack);
        var pending = Entry(status: KeyPersonStatus.Pending);
        Assert.Same(pending, ObservationRules.RecordSymptom(pending, new DateOnly(2020, 2, 5)));
        var released = Entry(status: KeyPersonStatus.Released);
        Assert.Null(ObservationRules.RecordSymptom(released, new DateOnly(2020, 2, 5)).LastSymptomDay);
    }

    [Theory]
    [InlineData(KeyPersonCategory.FromWuhan, ControlMeasure.HomeIsolation, Blocker.Isolation)]
    [InlineData(KeyPersonCategory.FromHubei, ControlMeasure.CentralIsolation, Blocker.Isolation)]
    [InlineData(KeyPersonCategory.FromOutsideCity, ControlMeasure.MedicalObservation, Blocker.Observation)]
    [InlineData(KeyPersonCategory.FromOutsideCity, ControlMeasure.None, Blocker.None)]
    [InlineData(KeyPersonCategory.CloseContact, ControlMeasure.CentralIsolation, Blocker.Isolation | Blocker.CloseContact)]
    [InlineData(KeyPersonCategory.CloseContact, ControlMeasure.None, Blocker.CloseContact)]
    [InlineData(KeyPersonCategory.FeverNoExposure, ControlMeasure.None, Blocker.Fever)]
    // A fever with no exposure is yellow whatever its measure (docs/domain.md): only the fever blocks, not the observation.
    [InlineData(KeyPersonCategory.FeverNoExposure, ControlMeasure.MedicalObservation, Blocker.Fever)]
    [InlineData(KeyPersonCategory.FeverNoExposure, ControlMeasure.CentralIsolation, Blocker.Fever)]
    public void An_open_entry_blocks_the_code_by_its_measure_and_category(KeyPersonCategory category, ControlMeasure measure, Blocker expected)
    {
        Assert.Equal(expected, ObservationRules.BlockersOf(Entry(category, measure)));
    }

    [Theory]
    [InlineData(KeyPersonStatus.Released)]
    [InlineData(KeyPersonStatus.Dismissed)]
    public void Closed_entries_do_not_block_the_code(KeyPersonStatus status)
    {
        Assert.Equal(Blocker.None, ObservationRules.BlockersOf(Entry(KeyPersonCategory.CloseContact, ControlMeasure.CentralIsolation, status)));
    }

    [Fact]
    public void A_pending_entry_is_a_possible_exposure_whatever_its_measure()
    {
        // Issue 15 item 2: a pending entry used to put nothing on the code.
        Assert.Equal(Blocker.PendingExposure, ObservationRules.BlockersOf(Entry(KeyPersonCategory.CloseContact, ControlMeasure.CentralIsolation, KeyPersonStatus.Pending)));
    }

    [Fact]
    public void The_blockers_give_the_domain_colours()
    {
        // docs/domain.md: red for isolation and close contact, yellow for fever with no exposure.
        Assert.Equal(CodeColour.Red, HealthCodeRules.BlockerColour(Policy, ObservationRules.BlockersOf(Entry(KeyPersonCategory.FromWuhan))));
        Assert.Equal(CodeColour.Red, HealthCodeRules.BlockerColour(Policy, ObservationRules.BlockersOf(Entry(KeyPersonCategory.CloseContact, ControlMeasure.None))));
        Assert.Equal(CodeColour.Yellow, HealthCodeRules.BlockerColour(Policy, ObservationRules.BlockersOf(Entry(KeyPersonCategory.FeverNoExposure, ControlMeasure.None))));
    }

    // Exposure on day 0; two evaluation days in 0..80; an optional symptom day in -3..40 recorded before the first.
    private static readonly Arbitrary<(int? Symptom, int First, int Second)> Histories =
        (from hasSymptom in Gen.Elements(true, false)
         from symptom in Gen.Choose(-3, 40)
         from first in Gen.Choose(0, 80)
         from second in Gen.Choose(0, 80)
         let early = Math.Min(first, second)
         select (hasSymptom ? Math.Min(symptom, early) : (int?)null, early, Math.Max(first, second))).ToArbitrary();

    private static KeyPersonEntry WithSymptom(int? symptom) =>
        symptom is { } s ? Entry() with { LastSymptomDay = Exposure.AddDays(s) } : Entry();

    [Property]
    public Property Evaluating_again_on_the_same_day_changes_nothing() =>
        Prop.ForAll(Histories, h =>
        {
            var once = ObservationRules.Evaluate(Policy, WithSymptom(h.Symptom), Exposure.AddDays(h.Second));
            return Equals(once, ObservationRules.Evaluate(Policy, once, Exposure.AddDays(h.Second)));
        });

    [Property]
    public Property A_missed_tick_gives_the_same_entry_as_an_earlier_one() =>
        Prop.ForAll(Histories, h =>
        {
            var entry = WithSymptom(h.Symptom);
            var withEarlierTick = ObservationRules.Evaluate(Policy, ObservationRules.Evaluate(Policy, entry, Exposure.AddDays(h.First)), Exposure.AddDays(h.Second));
            var onlyLateTick = ObservationRules.Evaluate(Policy, entry, Exposure.AddDays(h.Second));
            return Equals(withEarlierTick, onlyLateTick);
        });

    [Property]
    public Property Nobody_is_released_before_the_full_period_after_the_last_symptom() =>
        Prop.ForAll(Histories, h =>
        {
            var evaluated = ObservationRules.Evaluate(Policy, WithSymptom(h.Symptom), Exposure.AddDays(h.Second));
            if (evaluated.Status != KeyPersonStatus.Released) return evaluated.ObservationEndsOn > Exposure.AddDays(h.Second);
            var lastSymptomInPeriod = h.Symptom is { } s && s >= 0 ? Exposure.AddDays(s) : Exposure;
            return evaluated.ClosedOn >= lastSymptomInPeriod.AddDays(Policy.ObservationDays) && evaluated.ClosedOn <= Exposure.AddDays(h.Second);
        });
}
