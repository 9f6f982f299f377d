using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Sanmenxia.Trips;

namespace Sanmenxia.UnitTests.Trips;

// docs/domain.md platform 2: a person enters a date and a trip (train, flight, coach/bus route or car plate) and learns
// whether a confirmed case travelled on it, and in which carriage or seat area. The number is normalised so the
// same trip typed differently names the same trip grain.
public sealed class TripRulesTests
{
    private static string Normalized(TravelMode mode, string input)
    {
        Assert.True(TripRules.TryNormalize(mode, input, out var normalized, out var error), $"'{input}' refused: {error}");
        Assert.Null(error);
        return normalized;
    }

    [Theory]
    [InlineData("G1234", "G1234")]
    [InlineData("g1234", "G1234")]
    [InlineData(" G 1234 ", "G1234")]
    [InlineData("G-1234", "G1234")]
    [InlineData("k123", "K123")]
    [InlineData("1461", "1461")]
    [InlineData("Z1", "Z1")]
    [InlineData("G\u30001234", "G1234")] // an ideographic (full-width) space
    public void Train_numbers_are_normalised(string input, string expected) => Assert.Equal(expected, Normalized(TravelMode.Train, input));

    [Theory]
    [InlineData("G12345")]  // five digits
    [InlineData("X1234")]   // not a Chinese train class letter
    [InlineData("GG123")]
    [InlineData("G")]
    [InlineData("G12A")]
    public void Invalid_train_numbers_are_refused_with_an_example(string input)
    {
        Assert.False(TripRules.TryNormalize(TravelMode.Train, input, out var normalized, out var error));
        Assert.Equal("", normalized);
        Assert.Contains("train number", error);
    }

    [Theory]
    [InlineData("CZ3456", "CZ3456")]
    [InlineData("cz 3456", "CZ3456")]
    [InlineData("3U8888", "3U8888")]
    [InlineData("MU-5", "MU5")]
    public void Flight_numbers_are_normalised(string input, string expected) => Assert.Equal(expected, Normalized(TravelMode.Flight, input));

    [Theory]
    [InlineData("CZ34567")]
    [InlineData("CZ")]
    [InlineData("C")]
    [InlineData("CZA345")]
    [InlineData("33456")]
    public void Invalid_flight_numbers_are_refused(string input)
    {
        Assert.False(TripRules.TryNormalize(TravelMode.Flight, input, out _, out var error));
        Assert.Contains("flight number", error);
    }

    [Theory]
    [InlineData("豫M12345", "豫M12345")]
    [InlineData("豫m·12345", "豫M12345")]
    [InlineData("豫 M 1234D", "豫M1234D")]
    [InlineData("豫MD12345", "豫MD12345")] // new-energy plates have six characters after the letter
    public void Car_plates_are_normalised(string input, string expected) => Assert.Equal(expected, Normalized(TravelMode.Car, input));

    [Theory]
    [InlineData("M12345")]    // no province character
    [InlineData("豫M1234")]   // too short
    [InlineData("豫M1234567")] // too long
    [InlineData("豫112345")]  // the second character must be a letter
    public void Invalid_car_plates_are_refused(string input)
    {
        Assert.False(TripRules.TryNormalize(TravelMode.Car, input, out _, out var error));
        Assert.Contains("car plate", error);
    }

    [Theory]
    [InlineData("渑池-三门峡 1路", "渑池三门峡1路")]
    [InlineData("k12", "K12")]
    public void Coach_routes_are_normalised(string input, string expected) => Assert.Equal(expected, Normalized(TravelMode.Coach, input));

    [Fact]
    public void Coach_routes_are_at_most_twenty_characters_of_letters_digits_and_chinese()
    {
        Assert.Equal(20, Normalized(TravelMode.Coach, new string('1', 20)).Length);
        Assert.False(TripRules.TryNormalize(TravelMode.Coach, new string('1', 21), out _, out var error));
        Assert.Contains("coach", error);
        Assert.False(TripRules.TryNormalize(TravelMode.Coach, "K12/3", out _, out _));
    }

    [Fact]
    public void Other_trips_take_any_printable_text_up_to_forty_characters()
    {
        Assert.Equal("渡船3号", Normalized(TravelMode.Other, "渡船 3号"));
        Assert.Equal(40, Normalized(TravelMode.Other, new string('x', 40)).Length);
        Assert.False(TripRules.TryNormalize(TravelMode.Other, new string('x', 41), out _, out var error));
        Assert.Contains("40", error);
        Assert.False(TripRules.TryNormalize(TravelMode.Other, "a\u0007b", out _, out _));
    }

    [Theory]
    [InlineData(TravelMode.Train, null)]
    [InlineData(TravelMode.Flight, "")]
    [InlineData(TravelMode.Car, "  - · ")]
    [InlineData(TravelMode.Other, "\t")]
    public void An_empty_number_is_required(TravelMode mode, string? input)
    {
        Assert.False(TripRules.TryNormalize(mode, input, out var normalized, out var error));
        Assert.Equal("", normalized);
        Assert.Equal("is required", error);
    }

    [Theory]
    [InlineData(TravelMode.Train, "G\uFF11\uFF12\uFF13\uFF14")]  // G + full-width digits, as a Chinese IME types them
    [InlineData(TravelMode.Flight, "CZ\uFF13\uFF14\uFF15\uFF16")]
    [InlineData(TravelMode.Train, "\u0661\u0664\u0666\u0661")]   // Arabic-Indic digits
    public void Non_ascii_digits_are_folded_to_the_same_trip_or_refused(TravelMode mode, string input)
    {
        if (TripRules.TryNormalize(mode, input, out var normalized, out _))
            Assert.Matches("^[A-Z0-9]+$", normalized);
    }

    [Fact]
    public void A_full_width_train_number_is_the_same_trip_as_its_ascii_form()
    {
        Assert.True(TripRules.TryNormalize(TravelMode.Train, "Ｇ\uFF11\uFF12\uFF13\uFF14", out var normalized, out _));
        Assert.Equal("G1234", normalized);
        Assert.False(TripRules.TryNormalize(TravelMode.Train, "\u0661\u0664\u0666\u0661", out _, out _));
    }

    [Fact]
    public void The_trip_key_names_mode_number_and_day()
    {
        var trip = new TripId(TravelMode.Train, "G1234", new DateOnly(2020, 1, 22));

        Assert.Equal("train:G1234:20200122", trip.Key);
        Assert.NotEqual(trip.Key, (trip with { Date = new DateOnly(2020, 1, 23) }).Key);
        Assert.NotEqual(trip.Key, (trip with { Mode = TravelMode.Coach }).Key);
    }

    // ------------------------------------------------------------------ seat risk

    private static SeatInfo Seat(int? carriage, int? row, string? seat = null) => new(carriage, row, seat);

    [Theory]
    [InlineData(5, 10, 5, 10, TripRisk.NearbySeats)]
    [InlineData(5, 10, 5, 13, TripRisk.NearbySeats)]  // three rows apart: still nearby
    [InlineData(5, 10, 5, 7, TripRisk.NearbySeats)]
    [InlineData(5, 10, 5, 14, TripRisk.SameCarriage)] // four rows apart
    [InlineData(5, null, 5, 10, TripRisk.SameCarriage)]
    [InlineData(5, 10, 6, 10, TripRisk.SameTrip)]     // same row number in another carriage
    [InlineData(null, 10, 5, 10, TripRisk.SameTrip)]  // the traveller does not know the carriage
    [InlineData(null, null, null, null, TripRisk.SameTrip)]
    public void Train_risk_depends_on_carriage_then_rows(int? c1, int? r1, int? c2, int? r2, TripRisk expected) =>
        Assert.Equal(expected, TripRules.RiskOf(TravelMode.Train, Seat(c1, r1), Seat(c2, r2)));

    [Theory]
    [InlineData(TravelMode.Flight, 20, 23, TripRisk.NearbySeats)]
    [InlineData(TravelMode.Flight, 20, 24, TripRisk.SameTrip)]
    [InlineData(TravelMode.Coach, 2, 5, TripRisk.NearbySeats)]
    [InlineData(TravelMode.Coach, 2, 6, TripRisk.SameTrip)]
    public void Flights_and_coaches_have_no_carriages_so_rows_alone_decide(TravelMode mode, int r1, int r2, TripRisk expected) =>
        Assert.Equal(expected, TripRules.RiskOf(mode, Seat(null, r1), Seat(null, r2)));

    [Fact]
    public void Everyone_in_one_car_sits_close()
    {
        Assert.Equal(TripRisk.NearbySeats, TripRules.RiskOf(TravelMode.Car, Seat(null, null), Seat(null, null)));
        Assert.Equal(TripRisk.NearbySeats, TripRules.RiskOf(TravelMode.Car, Seat(1, 1), Seat(2, 30)));
    }

    [Fact]
    public void The_worst_risk_wins_and_no_case_is_no_risk()
    {
        Assert.Equal(TripRisk.None, TripRules.Worst([]));
        Assert.Equal(TripRisk.NearbySeats, TripRules.Worst([TripRisk.SameTrip, TripRisk.NearbySeats, TripRisk.SameCarriage]));
        Assert.Equal(TripRisk.SameCarriage, TripRules.Worst([TripRisk.SameTrip, TripRisk.SameCarriage]));
    }

    private static readonly Arbitrary<(TravelMode Mode, SeatInfo A, SeatInfo B)> SeatPairs =
        (from mode in Gen.Elements(Enum.GetValues<TravelMode>())
         from a in SeatGen
         from b in SeatGen
         select (mode, a, b)).ToArbitrary();

    private static Gen<SeatInfo> SeatGen =>
        from hasCarriage in Gen.Elements(true, false)
        from carriage in Gen.Choose(1, 4)
        from hasRow in Gen.Elements(true, false)
        from row in Gen.Choose(1, 12)
        select new SeatInfo(hasCarriage ? carriage : null, hasRow ? row : null, null);

    [Property]
    public Property Risk_is_symmetric() =>
        Prop.ForAll(SeatPairs, p => TripRules.RiskOf(p.Mode, p.A, p.B) == TripRules.RiskOf(p.Mode, p.B, p.A));

    [Property]
    public Property Sharing_a_trip_is_always_some_risk() =>
        Prop.ForAll(SeatPairs, p => TripRules.RiskOf(p.Mode, p.A, p.B) >= TripRisk.SameTrip);

    [Property]
    public Property Knowing_less_about_a_seat_never_raises_the_risk_except_in_a_car() =>
        Prop.ForAll(SeatPairs, p =>
            p.Mode == TravelMode.Car
            || TripRules.RiskOf(p.Mode, Seat(null, null), p.B) <= TripRules.RiskOf(p.Mode, p.A, p.B));

    [Property]
    public Property Normalising_is_idempotent() =>
        Prop.ForAll(
            (from mode in Gen.Elements(Enum.GetValues<TravelMode>())
             from text in Gen.Elements("G1234", "g 12-34", "cz3456", "3u 8888", "豫m·12345", "渑池 1路", "k 12", "x", "1461")
             select (mode, text)).ToArbitrary(),
            p => !TripRules.TryNormalize(p.mode, p.text, out var once, out _)
                 || (TripRules.TryNormalize(p.mode, once, out var twice, out _) && once == twice));
}
