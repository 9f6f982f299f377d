using Sanmenxia.HealthCode;

namespace Sanmenxia.KeyPersons;

/// <summary>
/// The isolation and observation rules of docs/domain.md as pure functions: the period runs a configured number of
/// days from the last exposure or arrival; at its end an entry is released if there was no fever or symptom
/// in the period, otherwise it is extended from the last symptomatic day and flagged for staff. Evaluated
/// from dates, so a late or missed reminder tick gives the same result.
/// </summary>
public static class ObservationRules
{
    public static DateOnly EndsOn(HealthCodePolicy policy, DateOnly exposure) => exposure.AddDays(policy.ObservationDays);

    /// <summary>Applies every period end that has passed by <paramref name="today"/> (idempotent).</summary>
    public static KeyPersonEntry Evaluate(HealthCodePolicy policy, KeyPersonEntry entry, DateOnly today)
    {
        var current = entry;
        // A loop, because an extension may itself have ended by today (e.g. after a long outage).
        while (current.RequiresObservation && today >= current.ObservationEndsOn)
        {
            var periodStart = current.ObservationEndsOn.AddDays(-policy.ObservationDays);
            // An extended period counts from the symptomatic day that extended it (its end is that day + the period,
            // the date staff were shown): that day itself does not count against it again, a later one does.
            var counts = current.NeedsReview ? (Func<DateOnly, bool>)(d => d > periodStart) : d => d >= periodStart;
            if (current.LastSymptomDay is { } symptom && counts(symptom))
            {
                var extendedTo = EndsOn(policy, symptom);
                if (extendedTo <= current.ObservationEndsOn) extendedTo = current.ObservationEndsOn.AddDays(1);
                current = current with { ObservationEndsOn = extendedTo, NeedsReview = true };
            }
            else
            {
                current = current with
                {
                    Status = KeyPersonStatus.Released,
                    ClosedOn = current.ObservationEndsOn,
                    CloseReason = $"observation period of {policy.ObservationDays} days completed without fever",
                    ClosedBy = CloseCause.PeriodCompleted,
                };
            }
        }
        return current;
    }

    /// <summary>Records a symptomatic day (a follow-up with symptoms, or a clock-in at or above the fever threshold).</summary>
    public static KeyPersonEntry RecordSymptom(KeyPersonEntry entry, DateOnly day) =>
        entry.Status is KeyPersonStatus.Open && (entry.LastSymptomDay is null || day > entry.LastSymptomDay)
            ? entry with { LastSymptomDay = day }
            : entry;

    /// <summary>
    /// The blockers an entry puts on the health code: a pending one is a possible exposure (yellow by default); an open one
    /// as follows. A fever with no exposure is a fever, whatever the measure
    /// (yellow by default, docs/domain.md); the others follow their measure, and a close contact is one as well.
    /// </summary>
    public static Blocker BlockersOf(KeyPersonEntry entry)
    {
        // A pending entry is a possible exposure awaiting the village's check, whatever its category or measure.
        if (entry.Status == KeyPersonStatus.Pending) return Blocker.PendingExposure;
        if (entry.Status != KeyPersonStatus.Open) return Blocker.None;
        if (entry.Category == KeyPersonCategory.FeverNoExposure) return Blocker.Fever;
        var blockers = entry.Measure switch
        {
            ControlMeasure.HomeIsolation or ControlMeasure.CentralIsolation => Blocker.Isolation,
            ControlMeasure.MedicalObservation => Blocker.Observation,
            _ => Blocker.None,
        };
        if (entry.Category == KeyPersonCategory.CloseContact) blockers |= Blocker.CloseContact;
        return blockers;
    }
}
