using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sanmenxia.Grains.Regions;
using Sanmenxia.Platform.Options;
using Sanmenxia.Platform.Time;
using Sanmenxia.Regions;
using Sanmenxia.Tickets;
using Sanmenxia.Villages;

namespace Sanmenxia.Grains.Tickets;

[GenerateSerializer, Alias("sanmenxia.TicketTallyState")]
public sealed class TicketTallyState
{
    /// <summary>Each ticket's latest summary, by number (the tickets located in this region).</summary>
    [Id(0)] public Dictionary<string, TicketSummary> Tickets { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The tickets located in one region (key: the deepest region code of their location), counted the way a village
/// counts its residents: each ticket's summary is kept (newest version wins, stored before the report is acknowledged),
/// its contribution on the counted day is added to a running sum (<see cref="TicketTally"/>), and the sum climbs the
/// tree through <see cref="UpwardReporter{T}"/> at most once per upward interval: a village's tally to its township's
/// region grain, any other to the region grain of its own code. It wakes only to push (<see cref="WakeTimer"/>); after
/// midnight the regions empty a stale day's "today" themselves (<see cref="TicketCounts.AsOf"/>), so an idle tally
/// needs no day-roll. A fresh activation pushes its counts once (versions are wall-clock based, so they keep growing).
/// </summary>
public sealed class TicketTallyGrain(
    [PersistentState("ticket-tally", StorageNames.Default)] IPersistentState<TicketTallyState> state,
    DomainCalendar calendar,
    IOptions<DeadlineOptions> options,
    ILogger<TicketTallyGrain> logger) : Grain, ITicketTallyGrain
{
    private readonly TicketTally _tally = new();
    private UpwardReporter<TicketCounts> _upward = null!;
    private WakeTimer _wake = null!;

    private string Code => this.GetPrimaryKeyString();
    private DeadlineOptions Deadlines => options.Value;
    private TimeSpan Upward => Deadlines.UpwardInterval < Deadlines.RollupInterval ? Deadlines.UpwardInterval : Deadlines.RollupInterval;

    public override Task OnActivateAsync(CancellationToken ct)
    {
        var code = RegionCode.TryParse(Code, out var parsed) ? parsed : (RegionCode?)null;
        // A village's tickets go to its township (into the village's line there); a region's to its own grain.
        var target = code is { Level: RegionLevel.Village } village ? village.Parent : code;
        _upward = new($"Ticket tally {Code}", (counts, version) => target is { } region
            ? GrainFactory.GetGrain<IRegionGrain>(region.Value).ReportTicketsAsync(Code, counts, version)
            : Task.CompletedTask, logger);
        _wake = WakeTimer.Register(this, WakeAsync);
        _tally.CountAll(calendar.Today, state.State.Tickets.Values);
        Changed();
        return Task.CompletedTask;
    }

    public async Task ReportAsync(TicketSummary summary)
    {
        if (state.State.Tickets.TryGetValue(summary.Number, out var known) && known.Version >= summary.Version) return;
        EnsureCountedToday();
        state.State.Tickets[summary.Number] = summary;
        _tally.Count(summary);
        // Stored before it is acknowledged: a failed write drops this activation (the next one counts what is stored),
        // and the ticket retries its report.
        await state.WriteOrForgetAsync(this);
        Changed();
    }

    public Task<TicketCounts> GetCountsAsync()
    {
        EnsureCountedToday();
        return Task.FromResult(_tally.Total);
    }

    private void EnsureCountedToday()
    {
        if (_tally.Day == calendar.Today) return;
        _tally.CountAll(calendar.Today, state.State.Tickets.Values);
        Changed();
    }

    private void Changed()
    {
        _upward.Update(_tally.Total);
        if (_upward.DueIn(Upward) is { } due) _wake.Arm(due);
    }

    private async Task WakeAsync()
    {
        EnsureCountedToday();
        await _upward.PushAsync();
        if (_upward.DueIn(Upward) is { } due) _wake.Arm(due);
    }
}
