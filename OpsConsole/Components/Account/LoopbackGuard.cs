using System.Net;

namespace OpsConsole.Components.Account;

/// <summary>Decides whether the app is reachable from other machines (then demo users are refused).</summary>
public static class LoopbackGuard
{
    /// <summary>True when every listening address is loopback (<c>localhost</c>, 127.0.0.0/8, ::1).</summary>
    public static bool ListensOnlyOnLoopback(IEnumerable<string> addresses)
    {
        foreach (var address in addresses)
        {
            if (!IsLoopbackAddress(address)) return false;
        }
        return true;
    }

    public static bool IsLoopbackAddress(string address)
    {
        // Kestrel reports wildcards such as http://+:80, http://*:80, http://0.0.0.0:80, http://[::]:80.
        var rest = address.Contains("://", StringComparison.Ordinal) ? address[(address.IndexOf("://", StringComparison.Ordinal) + 3)..] : address;
        string host;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']');
            host = close > 0 ? rest[1..close] : rest;
        }
        else
        {
            var end = rest.IndexOfAny([':', '/']);
            host = end >= 0 ? rest[..end] : rest;
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }

    public static bool IsLoopbackConnection(IPAddress? remote) => remote is null || IPAddress.IsLoopback(remote);
}
