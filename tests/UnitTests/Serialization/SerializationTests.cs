using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Sanmenxia.HealthCode;
using Sanmenxia.Identity;
using Sanmenxia.KeyPersons;
using Sanmenxia.Regions;
using Xunit;

namespace Sanmenxia.UnitTests.Serialization;

// These types cross grain boundaries and live in grain state: they must round-trip through Orleans.
public class SerializationTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(HealthCodeState).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    private static T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value))!;

    [Fact]
    public void Identity_values_round_trip()
    {
        var id = ResidentIdNumber.Parse("11010519491231002X", new DateOnly(2020, 3, 2));
        var phone = PhoneNumber.Parse("13812345678");

        Assert.Equal("11010519491231002X", RoundTrip(id).Value);
        Assert.Equal("13812345678", RoundTrip(phone).Value);
    }

    [Fact]
    public void Region_values_round_trip()
    {
        var info = SanmenxiaRegions.GenerateSyntheticTree(targetVillages: 6).Last();

        Assert.Equal(info, RoundTrip(info));
        Assert.Equal(info.Code.Parent, RoundTrip(info).ParentCode);
        Assert.Equal(SanmenxiaRegions.City, RoundTrip(SanmenxiaRegions.City));
    }

    [Fact]
    public void Health_code_values_round_trip()
    {
        var s = new HealthCode.Scenario().Run("C---C");
        s.ClockIn(6, temperature: 37.9m);
        var result = HealthCodeRules.SetBlockers(s.Policy, s.State, HealthCode.Scenario.At(6, 12), Blocker.Isolation | Blocker.Fever);
        var policy = HealthCodePolicy.Default with { RedConsecutiveClockInsToGreen = 2, TimeZoneId = "Europe/London" };

        Assert.Equal(s.State, RoundTrip(s.State));
        Assert.Equal(policy, RoundTrip(policy));
        Assert.Equal(s.History, RoundTrip(s.History.ToArray()));
        var copy = RoundTrip(result);
        Assert.Equal(result.State, copy.State);
        Assert.Equal(result.Changes, copy.Changes);
        Assert.Equal(result.Refusal, copy.Refusal);
        Assert.Equal(s.Explain(6, 13), RoundTrip(s.Explain(6, 13)));
    }

    [Fact]
    public void A_key_person_entry_round_trips_with_why_it_was_closed()
    {
        var entry = new KeyPersonEntry
        {
            Id = "t0123456789a", Category = KeyPersonCategory.CloseContact, Status = KeyPersonStatus.Dismissed,
            ExposureDate = new DateOnly(2020, 2, 1), ObservationEndsOn = new DateOnly(2020, 2, 15), ClosedOn = new DateOnly(2020, 2, 3),
            CloseReason = "publication withdrawn: wrong train", ClosedBy = CloseCause.PublicationWithdrawn,
            Source = "co-traveler match", CreatedAt = new DateTimeOffset(2020, 2, 2, 9, 0, 0, TimeSpan.FromHours(8)), CreatedBy = "trip-matching",
        };

        var copy = RoundTrip(entry);

        Assert.Equal(entry with { FollowUps = copy.FollowUps }, copy);
        Assert.Equal(CloseCause.PublicationWithdrawn, copy.ClosedBy);
    }

    [Fact]
    public void Todays_clock_in_round_trips_in_the_code_view_and_the_clock_in_answer()
    {
        var s = new HealthCode.Scenario().Run("C");
        var at = new DateTimeOffset(2020, 2, 1, 8, 12, 0, TimeSpan.FromHours(8));
        var view = new Sanmenxia.Residents.CodeView(s.Explain(1, 9), [], new DateOnly(2020, 2, 1), new DateOnly(2020, 2, 1),
            TodayClockIn: new Sanmenxia.Residents.ClockInRecord(at, 36.5m));
        var answer = new Sanmenxia.Residents.CodeActionResult(true, [], view, ReplacedToday: new Sanmenxia.Residents.ClockInRecord(null, 36.4m));

        var copy = RoundTrip(answer);
        Assert.Equal(view.TodayClockIn, copy.Code.TodayClockIn);
        Assert.Equal(answer.ReplacedToday, copy.ReplacedToday);
        Assert.Null(RoundTrip(view with { TodayClockIn = null }).TodayClockIn);
    }

    [Fact]
    public void A_break_the_glass_grant_round_trips()
    {
        var opened = new DateTimeOffset(2020, 2, 1, 9, 0, 0, TimeSpan.FromHours(8));
        var grant = new Sanmenxia.Security.BreakGlassGrant("r0123abcd", "ambulance: unconscious patient", opened, opened.AddMinutes(30));
        Assert.Equal(grant, RoundTrip(grant));
    }
}
