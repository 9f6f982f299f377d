using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Sanmenxia.Security;

namespace Sanmenxia.Api.Security;

/// <summary>Settings of token issuing, section "Auth".</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";
    /// <summary>HMAC key shared by every API process (./sanmenxia up generates one into .data/secrets.env).</summary>
    public string SigningKey { get; set; } = "";
    public string Issuer { get; set; } = "sanmenxia";
    public TimeSpan StaffTokenLifetime { get; set; } = TimeSpan.FromHours(12);
    public TimeSpan ResidentTokenLifetime { get; set; } = TimeSpan.FromDays(7);
    /// <summary>How often each API process reads what changed in the resident-token revocation list (a sign-out through another process counts here within this).</summary>
    public TimeSpan RevocationPollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>A revocation list not read successfully for this long is not trusted: resident requests ask the phone's grain again.</summary>
    public TimeSpan RevocationMaxStaleness { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>First administrator, created at start if no account of that name exists.</summary>
    public string BootstrapAdminUsername { get; set; } = "admin";
    public string BootstrapAdminPassword { get; set; } = "";
    /// <summary>
    /// Development = one-time codes go to the log and the admin outbox (never in production); Http = the SMS gateway
    /// of <see cref="SmsGatewayOptions"/>.
    /// </summary>
    public string MessageSender { get; set; } = "Development";
    /// <summary>One-time code requests one client address may make per hour (per API process); see AuthEndpoints.</summary>
    public int CodeRequestsPerAddressPerHour { get; set; } = 30;
}

/// <summary>Policy names. Every endpoint names one of these, or is explicitly anonymous.</summary>
public static class Policies
{
    public const string Resident = "resident";
    public const string AnyStaff = "staff";
    public const string Checkpoint = "checkpoint";
    public const string Village = "village";
    public const string Hotline = "hotline";
    public const string Commander = "commander";
    public const string Admin = "admin";
    /// <summary>The audit trail's readers: administrators and auditors (an auditor may use nothing else).</summary>
    public const string AuditReader = "audit-reader";
}

public static class SanmenxiaClaims
{
    public const string Role = "role";
    public const string Jurisdiction = "jur";
    public const string ResidentKey = "rk";
    public const string PhoneKey = "pk";
    /// <summary>
    /// A token's generation: a resident's, the phone's (IPhoneDirectoryGrain.GetTokenGenerationAsync); a staff member's, the
    /// account's (IStaffAccountGrain.IsSessionActiveAsync). Absent = 0.
    /// </summary>
    public const string TokenGeneration = "tg";
    public const string CheckpointId = "cp";
    public const string Subject = "sub";
    public const string Name = "name";
}

public static class AuthSetup
{
    public const string TokenCookie = "smx_token";

    public static IServiceCollection AddSanmenxiaAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        if (options.SigningKey.Length < 32)
            throw new InvalidOperationException("Auth:SigningKey must be at least 32 characters (environment Auth__SigningKey).");
        services.Configure<AuthOptions>(configuration.GetSection(AuthOptions.Section));
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<ResidentTokenRevocations>();
        services.AddHostedService(sp => sp.GetRequiredService<ResidentTokenRevocations>());

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = options.Issuer,
                ValidAudience = options.Issuer,
                IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.SigningKey)),
                NameClaimType = SanmenxiaClaims.Subject,
                RoleClaimType = SanmenxiaClaims.Role,
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            jwt.Events = new JwtBearerEvents
            {
                // Browser pages that cannot set a header (the Orleans dashboard) may use the cookie, for reads only:
                // state-changing calls must carry the header, so a cross-site form cannot act for a user.
                OnMessageReceived = ctx =>
                {
                    if (string.IsNullOrEmpty(ctx.Token) && !ctx.Request.Headers.Authorization.Any()
                        && (HttpMethods.IsGet(ctx.Request.Method) || HttpMethods.IsHead(ctx.Request.Method))
                        && ctx.Request.Cookies.TryGetValue(TokenCookie, out var cookie))
                        ctx.Token = cookie;
                    // SignalR sends the token in the query string for WebSockets.
                    if (string.IsNullOrEmpty(ctx.Token) && ctx.Request.Path.StartsWithSegments("/hubs")
                        && ctx.Request.Query.TryGetValue("access_token", out var fromQuery))
                        ctx.Token = fromQuery;
                    return Task.CompletedTask;
                },
            };
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Resident, p => p.RequireAuthenticatedUser().RequireClaim(SanmenxiaClaims.Role, Roles.Resident))
            .AddPolicy(Policies.AnyStaff, p => p.RequireAuthenticatedUser().RequireClaim(SanmenxiaClaims.Role, [.. Roles.Staff]))
            .AddPolicy(Policies.Checkpoint, p => p.RequireAuthenticatedUser().RequireClaim(SanmenxiaClaims.Role, Roles.CheckpointStaff, Roles.Admin))
            .AddPolicy(Policies.Village, p => p.RequireAuthenticatedUser().RequireClaim(SanmenxiaClaims.Role, Roles.VillageStaff, Roles.Commander, Roles.Admin))
            .AddPolicy(Policies.Hotline, p => p.RequireAuthenticatedUser().RequireClaim(SanmenxiaClaims.Role, Roles.Hotline, Roles.Admin))
            .AddPolicy(Policies.Commander, p => p.RequireAuthenticatedUser().RequireClaim(SanmenxiaClaims.Role, Roles.Commander, Roles.Admin))
            .AddPolicy(Policies.Admin, p => p.RequireAuthenticatedUser().RequireClaim(SanmenxiaClaims.Role, Roles.Admin))
            .AddPolicy(Policies.AuditReader, p => p.RequireAuthenticatedUser().RequireClaim(SanmenxiaClaims.Role, Roles.Admin, Roles.Auditor))
            // Default deny: an endpoint that forgets to name a policy still needs a signed-in user,
            // and the endpoint-inventory test fails the build until it names one.
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return services;
    }
}

public static class ActiveStaffCheck
{
    /// <summary>
    /// A staff token would outlive its account's disabling or password reset by up to 12 hours: each staff request asks the
    /// account (in memory once active), and the request of a disabled, missing or re-roled account, or of a token from an
    /// earlier session generation (before a reset or a disabling), goes on unauthenticated, so
    /// its endpoint's policy answers 401. After authentication, before authorization; a rejected call is retried
    /// with the request (ProblemSetup), where an exception in the bearer handler's events would have been a 401.
    /// </summary>
    /// <para>
    /// Resident tokens likewise end at sign-out (a 7-day token would otherwise outlive it): each carries its phone's
    /// token generation, and a request whose generation is below the phone's current one goes on unauthenticated. The
    /// current generations come from the revocation list each API process holds (<see cref="ResidentTokenRevocations"/>).
    /// </para>
    public static IApplicationBuilder UseActiveStaffOnly(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var role = http.User.FindFirst(SanmenxiaClaims.Role)?.Value;
        if (role is not null && Roles.IsAccount(role))
        {
            var subject = http.User.FindFirst(SanmenxiaClaims.Subject)?.Value ?? "";
            var grains = http.RequestServices.GetRequiredService<IGrainFactory>();
            if (subject.Length == 0 || !await grains.GetGrain<Sanmenxia.Staff.IStaffAccountGrain>(subject).IsSessionActiveAsync(role, TokenGenerationOf(http.User)))
                http.User = new ClaimsPrincipal(new ClaimsIdentity());
        }
        else if (role == Roles.Resident)
        {
            // The revocation list in memory answers while it is fresh; otherwise the phone's grain (a call and, cold, an
            // activation and a read: what every cold clock-in paid before the list, issue 20).
            var phoneKey = http.User.FindFirst(SanmenxiaClaims.PhoneKey)?.Value ?? "";
            var generation = TokenGenerationOf(http.User);
            var accepted = phoneKey.Length > 0
                && (http.RequestServices.GetRequiredService<ResidentTokenRevocations>().Accepts(phoneKey, generation)
                    ?? await http.RequestServices.GetRequiredService<IGrainFactory>()
                        .GetGrain<Sanmenxia.Residents.IPhoneDirectoryGrain>(phoneKey).GetTokenGenerationAsync() == generation);
            if (!accepted) http.User = new ClaimsPrincipal(new ClaimsIdentity());
        }
        await next(http);
    });

    /// <summary>The token generation a token carries (0 for tokens issued before generations existed).</summary>
    public static int TokenGenerationOf(ClaimsPrincipal user) =>
        int.TryParse(user.FindFirst(SanmenxiaClaims.TokenGeneration)?.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var g) ? g : 0;
}

/// <summary>Issues the API's signed JWTs.</summary>
public sealed class TokenIssuer(Microsoft.Extensions.Options.IOptions<AuthOptions> options, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SigningCredentials _credentials = new(
        new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.Value.SigningKey)), SecurityAlgorithms.HmacSha256);

    public IssuedToken Issue(IEnumerable<Claim> claims, TimeSpan lifetime)
    {
        var now = clock.GetUtcNow();
        var expires = now + lifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Issuer,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = _credentials,
        });
        return new IssuedToken(token, expires);
    }
}

public sealed record IssuedToken(string Token, DateTimeOffset ExpiresAt);
