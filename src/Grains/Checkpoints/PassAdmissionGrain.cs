using Orleans.Concurrency;
using Sanmenxia.Checkpoints;
using Sanmenxia.HealthCode;
using Sanmenxia.Identity;
using Sanmenxia.Platform.Time;
using Sanmenxia.Residents;

namespace Sanmenxia.Grains.Checkpoints;

/// <summary>
/// The checkpoint workflow (<see cref="IPassAdmissionGrain"/>): the admission rule, the resident's profile and colour now,
/// the masked name, then the checkpoint grain's decision. Holds no state: a local worker, reentrant, so the reads of one
/// scan never hold up another, and the checkpoint grain's turn stays as short as its own decision and write.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class PassAdmissionGrain(DomainCalendar calendar) : Grain, IPassAdmissionGrain
{
    public async Task<CodeVerification> VerifyAsync(CodeTokenCheck token)
    {
        var admission = Admit(token);
        return new CodeVerification(admission, admission.Accepted ? await IdentifyAsync(admission.ResidentKey!) : null);
    }

    public async Task<PassAdmissionResult> RegisterPassAsync(PassRequest request)
    {
        var checkpoint = GrainFactory.GetGrain<ICheckpointGrain>(request.CheckpointId);
        var info = CheckpointRules.IsValidId(request.CheckpointId) ? await checkpoint.GetInfoAsync() : null;
        if (info is null) return new PassAdmissionResult(PassAdmissionStatus.UnknownCheckpoint);

        var residentKey = request.ResidentKey;
        if (request.Token is { } token)
        {
            var admission = Admit(token);
            if (!admission.Accepted) return new PassAdmissionResult(PassAdmissionStatus.TokenRefused, info.Name, admission);
            residentKey = admission.ResidentKey;
        }
        if (residentKey is null) throw new ArgumentException("A pass names the person by a QR or by a resident key.", nameof(request));

        var person = await IdentifyAsync(residentKey);
        if (person is null) return new PassAdmissionResult(PassAdmissionStatus.UnknownResident, info.Name);
        var pass = await checkpoint.RegisterPassAsync(new PassAttempt(residentKey, person.MaskedName, request.Direction, person.Colour,
            request.Method, request.Staff, request.Temperature));
        return new PassAdmissionResult(PassAdmissionStatus.Registered, info.Name, Pass: pass);
    }

    public async Task<OfflineBatchResult> RegisterOfflineAsync(string checkpointId, string staff, IReadOnlyList<OfflinePassRequest> passes)
    {
        var checkpoint = GrainFactory.GetGrain<ICheckpointGrain>(checkpointId);
        if (!CheckpointRules.IsValidId(checkpointId) || await checkpoint.GetInfoAsync() is null) return new OfflineBatchResult(false, [], null);

        var results = new Dictionary<Guid, OfflinePassResult>();
        var attempts = new List<OfflinePassAttempt>();
        var people = new Dictionary<string, Task<PersonAtCheckpoint?>>(StringComparer.Ordinal);
        var admitted = new List<(OfflinePassRequest Pass, string ResidentKey, CodeColour? Shown)>();
        foreach (var pass in passes)
        {
            var residentKey = pass.ResidentKey;
            CodeColour? shown = null;
            if (pass.Token is { } token)
            {
                // Admitted as of the scan: the token valid then, issued that day.
                var admission = PassAdmission.Admit(token, calendar.DayOf(pass.ScannedAt), calendar.Policy);
                if (!admission.Accepted)
                {
                    results[pass.ClientId] = new OfflinePassResult(pass.ClientId, OfflinePassStatus.TokenRefused, admission.Code, admission.Message);
                    continue;
                }
                residentKey = admission.ResidentKey;
                shown = token.Payload!.Colour;
            }
            if (residentKey is null) throw new ArgumentException("A pass names the person by a QR or by a resident key.", nameof(passes));
            if (!people.ContainsKey(residentKey)) people[residentKey] = IdentifyAsync(residentKey);
            admitted.Add((pass, residentKey, shown));
        }
        await Task.WhenAll(people.Values);
        foreach (var (pass, residentKey, shown) in admitted)
        {
            // Someone not (or no longer) registered is still a pass that happened: recorded with no colour, for review.
            var person = people[residentKey].Result;
            var now = person?.Colour ?? CodeColour.None;
            var (colour, review) = shown is { } c
                ? (c, now > c ? PassReview.ColourChanged : PassReview.None)
                : (now, PassReview.ColourUnknown);
            attempts.Add(new OfflinePassAttempt(pass.ClientId, residentKey, person?.MaskedName ?? "?", pass.Direction, pass.ScannedAt, colour,
                pass.Method, staff, review, pass.Temperature));
        }
        var recorded = attempts.Count == 0 ? [] : (await checkpoint.RegisterOfflineAsync(attempts)).ToHashSet();
        foreach (var a in attempts)
            results[a.ClientId] = new OfflinePassResult(a.ClientId, recorded.Contains(a.ClientId) ? OfflinePassStatus.Recorded : OfflinePassStatus.AlreadyRecorded,
                Review: a.Review);
        return new OfflineBatchResult(true, passes.Select(p => results[p.ClientId]).ToList(), await checkpoint.GetTodayAsync());
    }

    private Admission Admit(CodeTokenCheck token) => PassAdmission.Admit(token, calendar.Today, calendar.Policy);

    /// <summary>The resident's profile, then the colour now (a token shows the colour at issue; staff must see the current one).</summary>
    private async Task<PersonAtCheckpoint?> IdentifyAsync(string residentKey)
    {
        var resident = GrainFactory.GetGrain<IResidentGrain>(residentKey);
        var profile = await resident.GetProfileAsync();
        if (profile is null) return null;
        var code = await resident.GetCodeAsync();
        return new PersonAtCheckpoint(residentKey, NameMasking.Mask(profile.Name), profile.VillageCode, code.Explanation.Colour,
            code.Explanation.ReasonCode);
    }
}
