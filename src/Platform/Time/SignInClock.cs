namespace Sanmenxia.Platform.Time;

/// <summary>
/// The clock of sign-in limits (one-time code pauses, windows and lockouts; staff password lockouts), registered as a
/// keyed TimeProvider: real time, like token lifetimes, and a fake clock in the tests that cross those windows.
/// </summary>
public static class SignInClock
{
    public const string Key = "sanmenxia-sign-in";
}
