using System.Text.RegularExpressions;

namespace Sanmenxia.Trips;

/// <summary>Pure trip rules: normalization of numbers and the risk of a seat relative to a case.</summary>
public static partial class TripRules
{
    public const int NearbyRows = 3;

    public static bool TryNormalize(TravelMode mode, string? number, out string normalized, out string? error)
    {
        normalized = "";
        // NFKC folds what a Chinese input method types (full-width Ｇ１２３４) to the ASCII the published lists use, so
        // both name one trip; the patterns then take ASCII digits only ([0-9], not \d: other scripts' digits are refused).
        var raw = Regex.Replace((number ?? "").Normalize(System.Text.NormalizationForm.FormKC), @"[\s\-·]", "").ToUpperInvariant();
        if (raw.Length == 0) { error = "is required"; return false; }
        var ok = mode switch
        {
            TravelMode.Train => TrainPattern().IsMatch(raw),
            TravelMode.Flight => FlightPattern().IsMatch(raw),
            TravelMode.Car => PlatePattern().IsMatch(raw),
            TravelMode.Coach => CoachPattern().IsMatch(raw),
            _ => raw.Length <= 40 && !raw.Any(char.IsControl),
        };
        if (!ok)
        {
            error = mode switch
            {
                TravelMode.Train => "is not a train number (e.g. G1234, K123, 1461)",
                TravelMode.Flight => "is not a flight number (e.g. CZ3456, 3U8888)",
                TravelMode.Car => "is not a car plate (e.g. 豫M12345)",
                TravelMode.Coach => "is not a coach or bus route (letters, digits, up to 20)",
                _ => "must be at most 40 characters",
            };
            return false;
        }
        normalized = raw;
        error = null;
        return true;
    }

    /// <summary>Nearby seats (same carriage, rows within 3; for flights rows within 3) are the higher risk.</summary>
    public static TripRisk RiskOf(TravelMode mode, SeatInfo traveller, SeatInfo @case)
    {
        var sameCarriage = traveller.Carriage is { } a && @case.Carriage is { } b && a == b;
        var carriageIrrelevant = mode is TravelMode.Flight or TravelMode.Car or TravelMode.Coach;
        if ((sameCarriage || carriageIrrelevant) && traveller.Row is { } r1 && @case.Row is { } r2 && Math.Abs(r1 - r2) <= NearbyRows)
            return TripRisk.NearbySeats;
        if (mode == TravelMode.Car) return TripRisk.NearbySeats; // one car: everyone is close
        return sameCarriage ? TripRisk.SameCarriage : TripRisk.SameTrip;
    }

    public static TripRisk Worst(IEnumerable<TripRisk> risks) => risks.DefaultIfEmpty(TripRisk.None).Max();

    [GeneratedRegex(@"^[GDCZTKYLS]?[0-9]{1,4}$")] private static partial Regex TrainPattern();
    [GeneratedRegex(@"^([A-Z]{2}|[A-Z][0-9]|[0-9][A-Z])[0-9]{1,4}$")] private static partial Regex FlightPattern();
    [GeneratedRegex(@"^[\u4e00-\u9fa5][A-Z][A-Z0-9]{5,6}$")] private static partial Regex PlatePattern();
    [GeneratedRegex(@"^[A-Z0-9\u4e00-\u9fa5]{1,20}$")] private static partial Regex CoachPattern();
}
