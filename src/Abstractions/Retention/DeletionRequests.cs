namespace Sanmenxia.Retention;

[GenerateSerializer, Alias("sanmenxia.DeletionRequestStatus")]
public enum DeletionRequestStatus { Requested, CarriedOut, Refused }

/// <summary>
/// A resident's request that their record be deleted, recorded by the village (docs/data-governance.md): requested, then
/// carried out or refused with a reason by an administrator. Identifies the resident by pseudonymous key and masked forms.
/// </summary>
[GenerateSerializer, Immutable, Alias("sanmenxia.DeletionRequest")]
public sealed record DeletionRequest(
    [property: Id(0)] string Id,
    [property: Id(1)] string ResidentKey,
    [property: Id(2)] string MaskedName,
    [property: Id(3)] string MaskedIdNumber,
    [property: Id(4)] string VillageCode,
    [property: Id(5)] string Reason,
    [property: Id(6)] string RequestedBy,
    [property: Id(7)] DateTimeOffset RequestedAt,
    [property: Id(8)] DeletionRequestStatus Status = DeletionRequestStatus.Requested,
    [property: Id(9)] string? DecidedBy = null,
    [property: Id(10)] DateTimeOffset? DecidedAt = null,
    [property: Id(11)] string? DecisionReason = null);

/// <summary>One village's deletion requests (key: the village code).</summary>
[Alias("sanmenxia.IDeletionRequestsGrain")]
public interface IDeletionRequestsGrain : IGrainWithStringKey
{
    /// <summary>Records a request; an open request for the same resident is returned instead of a second one.</summary>
    [Alias("Add")] Task<DeletionRequest> AddAsync(DeletionRequest request);
    [Alias("List")] Task<IReadOnlyList<DeletionRequest>> ListAsync();
    [Alias("Get")] Task<DeletionRequest?> GetAsync(string id);
    /// <summary>Records the decision on an open request; null if there is no such request, the unchanged request if it was decided already.</summary>
    [Alias("Decide")] Task<DeletionRequest?> DecideAsync(string id, bool carriedOut, string decidedBy, string reason, DateTimeOffset at);
}
