using Orleans;
using Orleans.Runtime;

namespace Sanmenxia.IntegrationTests.Postgres;

/// <summary>A tiny grain that exercises the three ADO.NET providers: persistent state and a reminder.</summary>
[Alias("Sanmenxia.IntegrationTests.Postgres.IPgProbeGrain")]
public interface IPgProbeGrain : IGrainWithStringKey
{
    [Alias("Set")]
    Task Set(string value);

    [Alias("Get")]
    Task<string?> Get();

    [Alias("StartReminder")]
    Task StartReminder(TimeSpan dueTime, TimeSpan period);

    [Alias("StopReminder")]
    Task StopReminder();

    [Alias("GetTicks")]
    Task<int> GetTicks();
}

/// <summary>State stored through the ADO.NET grain storage provider.</summary>
[GenerateSerializer, Alias("Sanmenxia.IntegrationTests.Postgres.PgProbeState")]
public sealed class PgProbeState
{
    /// <summary>Last value set.</summary>
    [Id(0)]
    public string? Value { get; set; }
}

public sealed class PgProbeGrain(
    [PersistentState("probe", PgProbeGrain.StorageName)] IPersistentState<PgProbeState> state)
    : Grain, IPgProbeGrain, IRemindable
{
    public const string StorageName = "Default";
    public const string ReminderName = "probe-tick";

    // In memory on purpose: the test only needs to see that ticks arrive.
    private int _ticks;

    public async Task Set(string value)
    {
        state.State.Value = value;
        await state.WriteStateAsync();
    }

    public Task<string?> Get() => Task.FromResult(state.State.Value);

    public Task StartReminder(TimeSpan dueTime, TimeSpan period) =>
        this.RegisterOrUpdateReminder(ReminderName, dueTime, period);

    public async Task StopReminder()
    {
        var reminder = await this.GetReminder(ReminderName);
        if (reminder is not null)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public Task<int> GetTicks() => Task.FromResult(_ticks);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        _ticks++;
        return Task.CompletedTask;
    }
}
