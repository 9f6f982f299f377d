using Sanmenxia.HealthCode;
using Xunit;

namespace Sanmenxia.UnitTests.HealthCode;

public class SymptomsTests
{
    [Fact]
    public void The_vocabulary_is_the_wire_names_in_form_order()
    {
        Assert.Equal(["fever", "cough", "fatigue", "short-of-breath", "sore-throat", "diarrhoea"], Symptoms.Names);
        Assert.Equal(Enum.GetValues<Symptom>(), Symptoms.All);
        foreach (var symptom in Symptoms.All)
        {
            Assert.True(Symptoms.TryParse(Symptoms.NameOf(symptom), out var parsed));
            Assert.Equal(symptom, parsed);
        }
    }

    [Theory]
    [InlineData("Fever")]
    [InlineData(" fever")]
    [InlineData("short_of_breath")]
    [InlineData("")]
    [InlineData(null)]
    public void Only_the_exact_names_are_known(string? name) => Assert.False(Symptoms.IsKnown(name));

    [Fact]
    public void A_fever_is_the_threshold_temperature_or_the_fever_symptom()
    {
        var policy = HealthCodePolicy.Default; // 37.3 °C
        Assert.False(Symptoms.IsFever(policy, 37.2m, ["cough"]));
        Assert.True(Symptoms.IsFever(policy, 37.3m, []));
        Assert.True(Symptoms.IsFever(policy, 36.5m, ["cough", "fever"]));
        Assert.True(Symptoms.IsFever(policy, null, ["fever"]));
        Assert.False(Symptoms.IsFever(policy, null, ["Fever"])); // not a known symptom, as the API would have refused it
        Assert.True(Symptoms.IsFever(37.0m, [], thresholdCelsius: 37.0m));
    }
}
