using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Sanmenxia.Identity;

namespace Sanmenxia.Api.Security;

/// <summary>Delivers one-time codes to a phone (<c>Auth:MessageSender</c>: Development or Http).</summary>
public interface IMessageSender
{
    /// <param name="phone">Prints masked; <see cref="PhoneNumber.Value"/> is the number in clear, for the gateway only.</param>
    Task SendLoginCodeAsync(PhoneNumber phone, string phoneKey, string code, CancellationToken ct);
}

/// <summary>The SMS gateway could not take a message; the caller is asked to retry (503 + Retry-After).</summary>
public sealed class MessageDeliveryException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// DEVELOPMENT ONLY: writes the code to the server log (with the phone masked) and keeps the latest code per
/// phone for the administrators' outbox endpoint, so demos, tests and the load tester can sign residents in.
/// </summary>
public sealed class DevelopmentMessageSender(ILogger<DevelopmentMessageSender> logger) : IMessageSender
{
    private readonly ConcurrentDictionary<string, string> _latest = new(StringComparer.Ordinal);

    public Task SendLoginCodeAsync(PhoneNumber phone, string phoneKey, string code, CancellationToken ct)
    {
        _latest[phoneKey] = code;
        logger.LogWarning("DEVELOPMENT message sender: login code for {Phone} is {Code}", phone.Masked, code);
        return Task.CompletedTask;
    }

    public string? Latest(string phoneKey) => _latest.TryGetValue(phoneKey, out var code) ? code : null;
}

/// <summary>Settings of the SMS gateway, section "Auth:SmsGateway" (used when <c>Auth:MessageSender</c> is Http).</summary>
public sealed class SmsGatewayOptions
{
    public const string Section = "Auth:SmsGateway";
    /// <summary>Where each message is POSTed as JSON <c>{"to": "13800138000", "text": "…"}</c>.</summary>
    public string Url { get; set; } = "";
    /// <summary>Sent as <c>Authorization: Bearer …</c> when set.</summary>
    public string Token { get; set; } = "";
    /// <summary>The message; <c>{code}</c> stands for the code.</summary>
    public string Template { get; set; } = "【三门峡】您的登录验证码为 {code}，5 分钟内有效，请勿告诉他人。";
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Sends codes through the city's SMS gateway over HTTP (any provider with a JSON POST, or an adapter in front of
/// one). The number goes in the body only; logs name it masked.
/// </summary>
public sealed class HttpSmsSender(IHttpClientFactory clients, IOptions<SmsGatewayOptions> options, ILogger<HttpSmsSender> logger) : IMessageSender
{
    public const string ClientName = "sms-gateway";

    public async Task SendLoginCodeAsync(PhoneNumber phone, string phoneKey, string code, CancellationToken ct)
    {
        var o = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, o.Url)
        {
            Content = JsonContent.Create(new { to = phone.Value, text = o.Template.Replace("{code}", code, StringComparison.Ordinal) }),
        };
        if (o.Token.Length > 0) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", o.Token);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
                throw new MessageDeliveryException($"the SMS gateway answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("SMS gateway unreachable for {Phone}: {Error}", phone.Masked, e.GetType().Name);
            throw new MessageDeliveryException("the SMS gateway did not answer", e);
        }
    }
}

public static class MessageSenderSetup
{
    /// <summary>Development (codes to the log and the admin outbox) or Http (the SMS gateway); anything else stops the start.</summary>
    public static IServiceCollection AddSanmenxiaMessageSender(this IServiceCollection services, IConfiguration configuration)
    {
        var kind = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>()?.MessageSender ?? "Development";
        switch (kind)
        {
            case "Development":
                services.AddSingleton<DevelopmentMessageSender>();
                services.AddSingleton<IMessageSender>(sp => sp.GetRequiredService<DevelopmentMessageSender>());
                break;
            case "Http":
                services.AddOptions<SmsGatewayOptions>().Bind(configuration.GetSection(SmsGatewayOptions.Section))
                    .Validate(o => Uri.TryCreate(o.Url, UriKind.Absolute, out _), "Auth:SmsGateway:Url must be an absolute URL when Auth:MessageSender is Http")
                    .ValidateOnStart();
                services.AddHttpClient(HttpSmsSender.ClientName, (sp, c) => c.Timeout = sp.GetRequiredService<IOptions<SmsGatewayOptions>>().Value.Timeout);
                services.AddSingleton<IMessageSender, HttpSmsSender>();
                break;
            default:
                throw new InvalidOperationException($"Auth:MessageSender is '{kind}': it must be Development or Http.");
        }
        return services;
    }
}
