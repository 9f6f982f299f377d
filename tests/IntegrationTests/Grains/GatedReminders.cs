using Microsoft.Extensions.DependencyInjection;
using Orleans.Timers;

namespace Sanmenxia.IntegrationTests.Grains;

/// <summary>
/// Test-only decorator of a silo's reminder registry: while closed, <see cref="IReminderRegistry.GetReminder"/> waits
/// until the test opens it (or fails with a chosen exception), so a test can hold a grain inside its reminder call while
/// something else happens (its activation ends). Every other call passes straight through.
/// </summary>
public sealed class GatedReminders
{
    private readonly object _gate = new();
    private TaskCompletionSource? _closed;
    private Exception? _failure;
    private int _held;

    /// <summary>How many GetReminder calls have waited at the closed gate so far.</summary>
    public int Held => Volatile.Read(ref _held);

    public void Close()
    {
        lock (_gate) _closed ??= new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Lets the waiting calls (and later ones) through; with <paramref name="failure"/>, they fail with it instead.</summary>
    public void Open(Exception? failure = null)
    {
        lock (_gate)
        {
            _failure = failure;
            _closed?.TrySetResult();
            _closed = null;
        }
    }

    /// <summary>Replaces the silo's registered <see cref="IReminderRegistry"/> with one that goes through <paramref name="gate"/>.</summary>
    public static void AddTo(ISiloBuilder silo, GatedReminders gate)
    {
        var original = silo.Services.Last(d => d.ServiceType == typeof(IReminderRegistry));
        silo.Services.Remove(original);
        silo.Services.AddSingleton<IReminderRegistry>(services => new Registry(
            (IReminderRegistry)ActivatorUtilities.CreateInstance(services, original.ImplementationType!), gate));
    }

    private sealed class Registry(IReminderRegistry inner, GatedReminders gate) : IReminderRegistry
    {
        public Task<IGrainReminder> RegisterOrUpdateReminder(GrainId callingGrainId, string reminderName, TimeSpan dueTime, TimeSpan period) =>
            inner.RegisterOrUpdateReminder(callingGrainId, reminderName, dueTime, period);

        public Task UnregisterReminder(GrainId callingGrainId, IGrainReminder reminder) => inner.UnregisterReminder(callingGrainId, reminder);

        public async Task<IGrainReminder?> GetReminder(GrainId callingGrainId, string reminderName)
        {
            Task? wait;
            lock (gate._gate) wait = gate._closed?.Task;
            if (wait is not null)
            {
                Interlocked.Increment(ref gate._held);
                await wait;
            }
            Exception? failure;
            lock (gate._gate) failure = gate._failure;
            if (failure is not null) throw failure;
            return await inner.GetReminder(callingGrainId, reminderName);
        }

        public Task<List<IGrainReminder>> GetReminders(GrainId callingGrainId) => inner.GetReminders(callingGrainId);
    }
}
