using Sanmenxia.Residents;

namespace Sanmenxia.KeyPersons;

/// <summary>Register operations on a resident; implemented by the resident grain.</summary>
[Alias("sanmenxia.IKeyPersonRegister")]
public interface IKeyPersonRegister : IGrainWithStringKey
{
    [Alias("AddEntry")] Task<KeyPersonResult> AddKeyPersonEntryAsync(NewKeyPersonEntry entry, Actor staff);
    [Alias("FollowUp")] Task<KeyPersonResult> FollowUpAsync(string entryId, FollowUpStatus status, string? note, Actor staff);
    [Alias("UpdateMeasure")] Task<KeyPersonResult> UpdateMeasureAsync(string entryId, ControlMeasure measure, string? site, string? problems, Actor staff);
    [Alias("Confirm")] Task<KeyPersonResult> ConfirmAsync(string entryId, ControlMeasure measure, string? site, Actor staff);
    [Alias("Dismiss")] Task<KeyPersonResult> DismissAsync(string entryId, string reason, Actor staff);
    [Alias("Release")] Task<KeyPersonResult> ReleaseEarlyAsync(string entryId, string reason, Actor staff);
    [Alias("Entries")] Task<IReadOnlyList<KeyPersonEntry>> GetKeyPersonEntriesAsync();
}
