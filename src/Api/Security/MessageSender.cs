using System.Collections.Concurrent;

namespace Sanmenxia.Api.Security;

/// <summary>Delivers one-time codes to a phone. Production plugs in an SMS gateway.</summary>
public interface IMessageSender
{
    Task SendLoginCodeAsync(string phoneKey, string maskedPhone, string code, CancellationToken ct);
}

/// <summary>
/// DEVELOPMENT ONLY: writes the code to the server log (with the phone masked) and keeps the latest code per
/// phone for the administrators' outbox endpoint, so demos, tests and the load tester can sign residents in.
/// </summary>
public sealed class DevelopmentMessageSender(ILogger<DevelopmentMessageSender> logger) : IMessageSender
{
    private readonly ConcurrentDictionary<string, string> _latest = new(StringComparer.Ordinal);

    public Task SendLoginCodeAsync(string phoneKey, string maskedPhone, string code, CancellationToken ct)
    {
        _latest[phoneKey] = code;
        logger.LogWarning("DEVELOPMENT message sender: login code for {Phone} is {Code}", maskedPhone, code);
        return Task.CompletedTask;
    }

    public string? Latest(string phoneKey) => _latest.TryGetValue(phoneKey, out var code) ? code : null;
}
