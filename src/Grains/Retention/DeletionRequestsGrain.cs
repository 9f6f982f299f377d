using Sanmenxia.Retention;

namespace Sanmenxia.Grains.Retention;

[GenerateSerializer, Alias("sanmenxia.DeletionRequestsState")]
public sealed class DeletionRequestsState
{
    [Id(0)] public List<DeletionRequest> Requests { get; set; } = [];
}

/// <summary>
/// One village's deletion requests (docs/data-governance.md): recorded by the village, decided by an administrator
/// (carried out through the resident's erasure, or refused with a reason). Decided requests stay as the record of the
/// decision; they name the resident only by pseudonymous key and masked forms.
/// </summary>
[CollectionAgeLimit(Minutes = 5)]
public sealed class DeletionRequestsGrain(
    [PersistentState("deletion-requests", StorageNames.Default)] IPersistentState<DeletionRequestsState> state) : Grain, IDeletionRequestsGrain
{
    private List<DeletionRequest> Requests => state.State.Requests;

    public async Task<DeletionRequest> AddAsync(DeletionRequest request)
    {
        if (Requests.Find(r => r.ResidentKey == request.ResidentKey && r.Status == DeletionRequestStatus.Requested) is { } open) return open;
        Requests.Add(request);
        await state.WriteOrForgetAsync(this);
        return request;
    }

    public Task<IReadOnlyList<DeletionRequest>> ListAsync() =>
        Task.FromResult<IReadOnlyList<DeletionRequest>>(Requests.OrderByDescending(r => r.RequestedAt).ToList());

    public Task<DeletionRequest?> GetAsync(string id) => Task.FromResult(Requests.Find(r => r.Id == id));

    public async Task<DeletionRequest?> DecideAsync(string id, bool carriedOut, string decidedBy, string reason, DateTimeOffset at)
    {
        var index = Requests.FindIndex(r => r.Id == id);
        if (index < 0) return null;
        if (Requests[index].Status != DeletionRequestStatus.Requested) return Requests[index];
        Requests[index] = Requests[index] with
        {
            Status = carriedOut ? DeletionRequestStatus.CarriedOut : DeletionRequestStatus.Refused,
            DecidedBy = decidedBy,
            DecidedAt = at,
            DecisionReason = reason,
        };
        await state.WriteOrForgetAsync(this);
        return Requests[index];
    }
}
