using System.Diagnostics;

namespace OpsConsole.Core.Common;

public static class Tracing
{
    public const string SourceName = "OpsConsole";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The trace id of the current activity, or a fresh one so every record can still be correlated.</summary>
    public static string CurrentTraceId() =>
        Activity.Current?.TraceId.ToHexString() ?? ActivityTraceId.CreateRandom().ToHexString();

    public static string? CurrentSpanId() => Activity.Current?.SpanId.ToHexString();
}
