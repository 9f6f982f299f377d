namespace Sanmenxia.HealthCode;

/// <summary>The symptoms a resident may report with a clock-in or a self-report (platform 3).</summary>
public enum Symptom { Fever, Cough, Fatigue, ShortOfBreath, SoreThroat, Diarrhoea }

/// <summary>
/// The symptom vocabulary and what counts as a fever. On the wire and in stored self-reports a symptom is its
/// name ("fever", "short-of-breath"); the API accepts only these names, and the rules below read them.
/// </summary>
public static class Symptoms
{
    private static readonly (Symptom Symptom, string Name)[] Vocabulary =
    [
        (Symptom.Fever, "fever"),
        (Symptom.Cough, "cough"),
        (Symptom.Fatigue, "fatigue"),
        (Symptom.ShortOfBreath, "short-of-breath"),
        (Symptom.SoreThroat, "sore-throat"),
        (Symptom.Diarrhoea, "diarrhoea"),
    ];

    /// <summary>Every symptom, in the order forms show them.</summary>
    public static IReadOnlyList<Symptom> All { get; } = Vocabulary.Select(v => v.Symptom).ToArray();

    /// <summary>Every symptom's name, in the order forms show them.</summary>
    public static IReadOnlyList<string> Names { get; } = Vocabulary.Select(v => v.Name).ToArray();

    /// <summary>The wire name of a symptom ("short-of-breath").</summary>
    public static string NameOf(Symptom symptom) => Vocabulary.First(v => v.Symptom == symptom).Name;

    /// <summary>The symptom a name stands for (exact, lower-case names only, as the API has always accepted them).</summary>
    public static bool TryParse(string? name, out Symptom symptom)
    {
        foreach (var (s, n) in Vocabulary)
        {
            if (string.Equals(n, name, StringComparison.Ordinal))
            {
                symptom = s;
                return true;
            }
        }
        symptom = default;
        return false;
    }

    public static bool IsKnown(string? name) => TryParse(name, out _);

    /// <summary>
    /// A fever: a temperature at or above the policy's threshold (37.3 °C by default), or "fever" among the reported
    /// symptoms whatever the thermometer said.
    /// </summary>
    public static bool IsFever(decimal? temperature, IEnumerable<string> symptoms, decimal thresholdCelsius) =>
        temperature >= thresholdCelsius || symptoms.Any(s => TryParse(s, out var symptom) && symptom == Symptom.Fever);

    /// <summary>A fever by the policy's threshold (<see cref="HealthCodePolicy.FeverThresholdCelsius"/>).</summary>
    public static bool IsFever(HealthCodePolicy policy, decimal? temperature, IEnumerable<string> symptoms) =>
        IsFever(temperature, symptoms, policy.FeverThresholdCelsius);
}
