namespace Sanmenxia.Platform.Time;

/// <summary>
/// The clock requests' deadlines and idempotency windows are judged on, registered as a keyed TimeProvider: real time
/// (the API stamps real time, as the client's timeout runs in real time), and a fake clock in the tests that cross them.
/// </summary>
public static class RequestClock
{
    public const string Key = "sanmenxia-requests";
}
