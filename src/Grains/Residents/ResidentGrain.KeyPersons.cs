using Sanmenxia.KeyPersons;
using Sanmenxia.Residents;

namespace Sanmenxia.Grains.Residents;

// The key-person register (platform 4): staff actions on this resident's entries, each remembered under its
// Idempotency-Key so a retried request answers the entry as the first run left it instead of acting twice.
public sealed partial class ResidentGrain
{
    public async Task<KeyPersonResult> AddKeyPersonEntryAsync(NewKeyPersonEntry entry, Actor staff)
    {
        if (!S.IsRegistered) return new(false, "the resident is not registered", null);
        if (Replayed(Operations.AddEntry) is { ResultId: { } id } && EntryById(id) is { } earlier) return new(true, null, earlier);
        var now = Calendar.Now;
        var (created, added) = Register.Add(entry, NewId(), staff.Id, now, Calendar.DayOf(now));
        if (!added) return new(true, null, created); // an import seen before: idempotent
        Remember(Operations.AddEntry, created.Id);
        return await CommitEntryAsync(new(true, null, created), staff);
    }

    public Task<KeyPersonResult> FollowUpAsync(string entryId, FollowUpStatus status, string? note, Actor staff) =>
        KeyedEntryAsync(Operations.FollowUp, entryId, () => Register.FollowUp(entryId, status, note, staff.Id, Calendar.Now, Calendar.Today), staff);

    public Task<KeyPersonResult> UpdateMeasureAsync(string entryId, ControlMeasure measure, string? site, string? problems, Actor staff) =>
        KeyedEntryAsync(Operations.Measure, entryId, () => Register.UpdateMeasure(entryId, measure, site, problems, Calendar.Today), staff);

    public Task<KeyPersonResult> ConfirmAsync(string entryId, ControlMeasure measure, string? site, Actor staff) =>
        KeyedEntryAsync(Operations.Confirm, entryId, () => Register.Confirm(entryId, measure, site, Calendar.Today), staff);

    public Task<KeyPersonResult> DismissAsync(string entryId, string reason, Actor staff) =>
        KeyedEntryAsync(Operations.Dismiss, entryId, () => Register.Dismiss(entryId, reason, Calendar.Today), staff);

    public Task<KeyPersonResult> ReleaseEarlyAsync(string entryId, string reason, Actor staff) =>
        KeyedEntryAsync(Operations.Release, entryId, () => Register.ReleaseEarly(entryId, reason, staff.Id, Calendar.Today), staff);

    public Task<IReadOnlyList<KeyPersonEntry>> GetKeyPersonEntriesAsync() => Task.FromResult(Register.AsOf(Calendar.Today));

    /// <summary>An action on an entry, unless this request ran before: then the entry as it stands (nothing done twice).</summary>
    private Task<KeyPersonResult> KeyedEntryAsync(string operation, string entryId, Func<KeyPersonResult> act, Actor staff)
    {
        operation = $"{operation}:{entryId}";
        if (Replayed(operation) is not null && EntryById(entryId) is { } entry) return Task.FromResult(new KeyPersonResult(true, null, entry));
        var result = act();
        if (result.Accepted) Remember(operation, entryId);
        return CommitEntryAsync(result, staff);
    }

    private KeyPersonEntry? EntryById(string id) => Register.AsOf(Calendar.Today).FirstOrDefault(e => e.Id == id);

    /// <summary>An accepted register change moves the code's blockers with it and is committed; a refusal changed nothing.</summary>
    private async Task<KeyPersonResult> CommitEntryAsync(KeyPersonResult result, Actor staff)
    {
        if (!result.Accepted) return result;
        SyncBlockers(staff.Kind);
        await CommitAsync(Change.Summary);
        return result;
    }
}
