namespace Sanmenxia.LoadTest;

/// <summary>A run that cannot go on: the message says why and what to do.</summary>
public sealed class LoadTestException(string message) : Exception(message);
