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
            request.Method, request.Staff));
        return new PassAdmissionResult(PassAdmissionStatus.Registered, info.Name, Pass: pass);
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
