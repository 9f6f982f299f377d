namespace Sanmenxia.Residents;

/// <summary>
/// One resident's requests for help (platform 3) as pure operations over the list the resident stores: every open
/// need is kept, and only the latest <see cref="HandledKept"/> handled ones, so the state cannot grow without bound.
/// No clock and no I/O: the caller passes <c>now</c> (and the new need's id).
/// </summary>
public sealed class NeedList(List<Need> needs)
{
    public const int HandledKept = 20;

    public IReadOnlyList<Need> Items => needs;

    public int OpenCount => needs.Count(n => n.Status == NeedStatus.Open);

    public Need Add(string id, NeedKind kind, string detail, DateTimeOffset now)
    {
        var need = new Need(id, kind, detail, now, NeedStatus.Open);
        needs.Add(need);
        return need;
    }

    /// <summary>
    /// Staff answered a need. Handling it again changes nothing (the first answer stands). Returns the need as it
    /// stands (null if there is no such need) and whether this changed it.
    /// </summary>
    public (Need? Need, bool Changed) Handle(string needId, string by, string? note, DateTimeOffset now)
    {
        var index = needs.FindIndex(n => n.Id == needId);
        if (index < 0) return (null, false);
        if (needs[index].Status == NeedStatus.Handled) return (needs[index], false);
        var handled = needs[index] with { Status = NeedStatus.Handled, HandledAt = now, HandledBy = by, Note = note };
        needs[index] = handled;
        var excess = needs.Count(n => n.Status == NeedStatus.Handled) - HandledKept;
        if (excess > 0)
            foreach (var old in needs.Where(n => n.Status == NeedStatus.Handled).OrderBy(n => n.HandledAt).Take(excess).ToList())
                needs.Remove(old);
        return (handled, true);
    }
}
