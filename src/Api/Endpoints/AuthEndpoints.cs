using System.Security.Claims;
using Microsoft.Extensions.Options;
using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Security;
using Sanmenxia.Auth;
using Sanmenxia.Identity;
using Sanmenxia.Residents;
using Sanmenxia.Security;
using Sanmenxia.Staff;

namespace Sanmenxia.Api.Endpoints;

public sealed record StaffLoginRequest(string? Username, string? Password);
public sealed record ResidentCodeRequest(string? Phone);
public sealed record ResidentLoginRequest(string? Phone, string? Code);
public sealed record TokenResponse(string Token, DateTimeOffset ExpiresAt, string Role, string? Jurisdiction, string? ResidentKey);
public sealed record CodeSentResponse(string MaskedPhone, int ResendAfterSeconds);

public static class AuthEndpoints
{
    /// <summary>
    /// Code requests per client address (after ForwardedHeadersSetup: the client behind a trusted proxy), per API
    /// process: an address cannot send texts to one phone after another. The per-phone limits are the code grain's,
    /// where all API processes' requests for a phone meet; this one needs no grain call and stops a flood at the edge.
    /// </summary>
    public const string CodeRateLimit = "resident-code";

    public static void AddCodeRateLimit(Microsoft.AspNetCore.RateLimiting.RateLimiterOptions limiter, IConfiguration configuration)
    {
        var permits = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>()?.CodeRequestsPerAddressPerHour ?? 30;
        limiter.AddPolicy(CodeRateLimit, http => System.Threading.RateLimiting.RateLimitPartition.GetFixedWindowLimiter(
            http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new System.Threading.RateLimiting.FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromHours(1), QueueLimit = 0 }));
    }

    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth");
        auth.MapPost("/staff/login", StaffLogin).AllowAnonymous();
        auth.MapPost("/resident/code", SendResidentCode).AllowAnonymous().RequireRateLimiting(CodeRateLimit);
        auth.MapPost("/resident/login", ResidentLogin).AllowAnonymous();
        auth.MapPost("/logout", Logout).AllowAnonymous();
        auth.MapGet("/me", Me).RequireAuthorization();
        return app;
    }

    private static async Task<IResult> StaffLogin(StaffLoginRequest body, IGrainFactory grains, TokenIssuer tokens,
        IOptions<AuthOptions> options, HttpContext http, ILogger<TokenIssuer> logger)
    {
        var errors = new FieldErrors();
        errors.Require("username", body.Username, 64);
        errors.Require("password", body.Password, 256);
        if (errors.Any) return Refusals.Fields(errors);

        var username = body.Username!.Trim().ToLowerInvariant();
        var account = grains.GetGrain<IStaffAccountGrain>(username);
        // The grain counts the attempt before it is verified, so a burst of concurrent guesses gets no more verdicts
        // than the limit; it counts unknown usernames too, so the lockout does not tell which exist.
        var attempt = await account.BeginLoginAsync();
        if (attempt.LockedFor > TimeSpan.Zero)
            return Refusals.TooMany("Too many wrong passwords for this account; wait before trying again.", attempt.LockedFor, http);
        // Same answer, and the same hash work, for an unknown user and a wrong password, so usernames cannot be probed.
        var verified = attempt.PasswordHash is { } hash ? PasswordHashing.Verify(body.Password!, hash) : PasswordHashing.VerifyAgainstNobody(body.Password!);
        if (!verified)
        {
            logger.LogWarning("Failed staff login for {Username}", username);
            return Refusals.Unauthorized("Unknown username or wrong password.", Refusals.SignInFailed);
        }
        await account.LoginSucceededAsync();
        var staff = (await account.GetAsync())!;
        List<Claim> claims =
        [
            new(SanmenxiaClaims.Subject, staff.Username),
            new(SanmenxiaClaims.Role, staff.Role),
            new(SanmenxiaClaims.Jurisdiction, staff.Jurisdiction),
            new(SanmenxiaClaims.Name, staff.DisplayName),
            // The account's session generation: a password reset or a disabling ends the tokens of earlier ones.
            new(SanmenxiaClaims.TokenGeneration, attempt.TokenGeneration.ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer32),
        ];
        if (staff.CheckpointId is not null) claims.Add(new(SanmenxiaClaims.CheckpointId, staff.CheckpointId));
        var issued = tokens.Issue(claims, options.Value.StaffTokenLifetime);
        SetCookie(http, issued);
        return Results.Ok(new TokenResponse(issued.Token, issued.ExpiresAt, staff.Role, staff.Jurisdiction, null));
    }

    private static async Task<IResult> SendResidentCode(ResidentCodeRequest body, IGrainFactory grains, PseudonymousKeys keys,
        IMessageSender sender, HttpContext http, CancellationToken ct)
    {
        if (!PhoneNumber.TryParse(body.Phone, out var phone, out var error)) return Refusals.Field("phone", error!);
        var phoneKey = keys.ForPhone(phone.Value);
        var issued = await grains.GetGrain<IOneTimeCodeGrain>(phoneKey).IssueAsync();
        if (issued.Status == OneTimeCodeIssueStatus.TooSoon)
            return Refusals.TooMany("A code was sent moments ago; wait before asking again.", issued.RetryAfter, http);
        if (issued.Status == OneTimeCodeIssueStatus.LockedOut)
            return Refusals.TooMany("Too many wrong codes for this phone; wait before asking for a new one.", issued.RetryAfter, http);
        if (issued.Status == OneTimeCodeIssueStatus.TooMany)
            return Refusals.TooMany("Too many codes were sent to this phone in the last hour; wait before asking again.", issued.RetryAfter, http);
        await sender.SendLoginCodeAsync(phone, phoneKey, issued.Code!, ct);
        return Results.Accepted(value: new CodeSentResponse(phone.Masked, 30));
    }

    private static async Task<IResult> ResidentLogin(ResidentLoginRequest body, IGrainFactory grains, PseudonymousKeys keys,
        TokenIssuer tokens, IOptions<AuthOptions> options, HttpContext http)
    {
        var errors = new FieldErrors();
        if (!PhoneNumber.TryParse(body.Phone, out var phone, out var phoneError)) errors.Add("phone", phoneError!);
        if (string.IsNullOrWhiteSpace(body.Code) || body.Code.Length != 6 || !body.Code.All(char.IsAsciiDigit))
            errors.Add("code", "must be the 6-digit code sent to the phone");
        if (errors.Any) return Refusals.Fields(errors);

        var phoneKey = keys.ForPhone(phone.Value);
        // Read before the code is used up: a rejected read after a good code would otherwise have the retry of this
        // request (ProblemSetup) answer "no code was sent" to a caller whose code was right.
        var directory = grains.GetGrain<IPhoneDirectoryGrain>(phoneKey);
        var residents = await directory.GetResidentsAsync();
        var generation = await directory.GetTokenGenerationAsync();
        var check = await grains.GetGrain<IOneTimeCodeGrain>(phoneKey).VerifyAsync(body.Code!);
        if (check != OneTimeCodeCheck.Accepted)
            // Still 401 (the proof failed), but said about the code field: the page shows it under the code, not as "signed out".
            return check switch
            {
                OneTimeCodeCheck.Expired => Refusals.CodeNotAccepted("has expired; ask for a new code", "signin.code-expired"),
                OneTimeCodeCheck.TooManyAttempts => Refusals.CodeNotAccepted("was entered wrongly too many times; ask for a new code", "signin.code-attempts"),
                OneTimeCodeCheck.NoCode => Refusals.CodeNotAccepted("was not sent to this phone or was already used; ask for a new code", "signin.no-code"),
                _ => Refusals.CodeNotAccepted("is wrong; check the SMS or ask for a new code", "signin.code-wrong"),
            };

        var issued = IssueResidentToken(tokens, options.Value, phoneKey, residents.FirstOrDefault(), generation);
        SetCookie(http, issued);
        return Results.Ok(new TokenResponse(issued.Token, issued.ExpiresAt, Roles.Resident, null, residents.FirstOrDefault()));
    }

    /// <summary>A resident's token names the phone and, once registered, the resident (by pseudonymous key only).</summary>
    /// <remarks><paramref name="generation"/>: the phone's current token generation (a sign-out ends the tokens of earlier ones).</remarks>
    public static IssuedToken IssueResidentToken(TokenIssuer tokens, AuthOptions options, string phoneKey, string? residentKey, int generation)
    {
        List<Claim> claims = [new(SanmenxiaClaims.Subject, residentKey ?? phoneKey), new(SanmenxiaClaims.Role, Roles.Resident), new(SanmenxiaClaims.PhoneKey, phoneKey),
            new(SanmenxiaClaims.TokenGeneration, generation.ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer32)];
        if (residentKey is not null) claims.Add(new(SanmenxiaClaims.ResidentKey, residentKey));
        return tokens.Issue(claims, options.ResidentTokenLifetime);
    }

    /// <summary>
    /// Deletes the cookie and, for a resident, ends every token of the phone (on every device): the next generation
    /// starts. The request's token is read if it is still valid; anonymous callers just lose the cookie.
    /// </summary>
    private static async Task<IResult> Logout(HttpContext http, IGrainFactory grains, ResidentTokenRevocations revocations)
    {
        http.Response.Cookies.Delete(AuthSetup.TokenCookie);
        var caller = Caller.From(http.User);
        // This process refuses the old tokens at once; the others at their next read of the revocation list.
        if (caller.Role == Roles.Resident && caller.PhoneKey is { Length: > 0 } phoneKey)
            revocations.Note(phoneKey, await grains.GetGrain<IPhoneDirectoryGrain>(phoneKey).RevokeTokensAsync());
        return Results.NoContent();
    }

    private static IResult Me(ClaimsPrincipal user)
    {
        var caller = Caller.From(user);
        return Results.Ok(new { caller.Subject, caller.Role, Jurisdiction = caller.Jurisdiction?.Value, caller.ResidentKey, caller.CheckpointId });
    }

    public static void SetCookie(HttpContext http, IssuedToken issued) =>
        http.Response.Cookies.Append(AuthSetup.TokenCookie, issued.Token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Expires = issued.ExpiresAt,
        });
}
