using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Sanmenxia.HealthCode;

namespace Sanmenxia.UnitTests.HealthCode;

// Random 30-day clock-in patterns: day 1 is always the application, days 2-30 are random.
public class HealthCodeProperties
{
    private const int Days = 30;

    private static readonly Arbitrary<string> Patterns =
        Gen.Elements('C', '-').ArrayOf(Days - 1).Select(days => "C" + new string(days)).ToArbitrary();

    private static readonly Arbitrary<(string Pattern, int Day)> PatternsWithDay =
        Patterns.Generator.SelectMany(_ => Gen.Choose(2, Days), (pattern, day) => (pattern, day)).ToArbitrary();

    [Property]
    public Property Closing_day_by_day_equals_closing_all_at_once() =>
        Prop.ForAll(Patterns, pattern =>
        {
            var daily = new Scenario().Run(pattern);
            var lazy = new Scenario().Run(pattern, closeEachDay: false);
            lazy.CloseThrough(Days);

            return daily.State == lazy.State && daily.History.SequenceEqual(lazy.History);
        });

    [Property]
    public Property Duplicated_closes_change_nothing() =>
        Prop.ForAll(PatternsWithDay, input =>
        {
            var s = new Scenario().Run(input.Pattern[..input.Day]);
            var before = s.State;
            var again = s.CloseThrough(input.Day);
            var earlier = s.CloseThrough(input.Day - 1);

            return again.Changes.Count == 0 && earlier.Changes.Count == 0 && ReferenceEquals(before, s.State);
        });

    [Property]
    public Property Three_consecutive_clock_ins_at_the_end_are_never_red() =>
        Prop.ForAll(Patterns, pattern =>
        {
            var s = new Scenario().Run(pattern[..(Days - 3)] + "CCC");

            return s.Colour == CodeColour.Green;
        });

    [Property]
    public Property A_missed_day_never_improves_the_colour_at_its_close() =>
        Prop.ForAll(Patterns, pattern =>
        {
            var s = new Scenario();
            for (var day = 1; day <= Days; day++)
            {
                if (pattern[day - 1] == 'C')
                {
                    _ = day == 1 ? s.Apply(day) : s.ClockIn(day);
                }

                var before = s.Colour;
                s.CloseThrough(day);
                if (s.Colour < before)
                {
                    return false;
                }
            }

            return true;
        });

    [Property]
    public Property Turning_a_clock_in_into_a_missed_day_never_gives_a_better_final_colour() =>
        Prop.ForAll(PatternsWithDay, input =>
        {
            var withClockIn = input.Pattern[..(input.Day - 1)] + "C" + input.Pattern[input.Day..];
            var withMiss = input.Pattern[..(input.Day - 1)] + "-" + input.Pattern[input.Day..];

            return new Scenario().Run(withMiss).Colour >= new Scenario().Run(withClockIn).Colour;
        });

    [Property]
    public Property Green_on_is_when_daily_clock_ins_actually_turn_it_green() =>
        Prop.ForAll(PatternsWithDay, input =>
        {
            // Explain in the morning of the chosen day, before any clock-in that day.
            var s = new Scenario().Run(input.Pattern[..(input.Day - 1)]);
            var explanation = s.Explain(input.Day, 6);
            if (explanation.Colour == CodeColour.Green)
            {
                return explanation.GreenOn is null;
            }

            for (var day = input.Day; day < input.Day + 10; day++)
            {
                s.ClockIn(day);
                if (s.Colour == CodeColour.Green)
                {
                    return explanation.GreenOn == Scenario.Day(1).AddDays(day - 1);
                }
            }

            return false;
        });

    [Property]
    public Property Colour_never_red_after_the_policy_streak_of_clock_ins() =>
        Prop.ForAll(Patterns, Gen.Choose(1, 5).ToArbitrary(), (pattern, needed) =>
        {
            var policy = HealthCodePolicy.Default with { RedConsecutiveClockInsToGreen = needed };
            var s = new Scenario(policy).Run(pattern[..(Days - needed)] + new string('C', needed));

            return s.Colour == CodeColour.Green;
        });
}
