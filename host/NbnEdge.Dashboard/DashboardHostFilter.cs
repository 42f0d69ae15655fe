using System.Net;
using System.Net.NetworkInformation;

namespace NbnEdge.Dashboard;

/// <summary>
/// Which Host headers the dashboard answers (the defence against DNS rebinding: a page on another
/// site may point its own name at this machine, but its requests then carry that name).
/// Always: loopback names and addresses. When bound beyond loopback: also the machine's own host
/// names and interface addresses, and the names the user allowed with --allow-host.
/// </summary>
public sealed class DashboardHostFilter
{
    private readonly HashSet<string> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<IPAddress> _addresses = [];

    /// <summary>A filter for a server bound to <paramref name="boundAddress"/>.</summary>
    /// <param name="boundAddress">The address the server listens on.</param>
    /// <param name="allowedHosts">Extra host names (or addresses) to answer to, e.g. a DNS name of this machine.</param>
    public DashboardHostFilter(IPAddress boundAddress, IEnumerable<string>? allowedHosts = null)
    {
        _names.Add("localhost");
        if (!IPAddress.IsLoopback(boundAddress))
        {
            _addresses.Add(Normalise(boundAddress));
            AddOwnNamesAndAddresses();
        }
        foreach (var h in allowedHosts ?? [])
        {
            string name = StripBrackets(h.Trim()).TrimEnd('.');
            if (name.Length == 0) continue;
            if (IPAddress.TryParse(name, out var ip)) _addresses.Add(Normalise(ip)); else _names.Add(name);
        }
    }

    /// <summary>The names answered besides addresses (for the start-up message).</summary>
    public IReadOnlyCollection<string> Names => _names;

    /// <summary>Whether a request with this Host header (its host part, without the port) is answered.</summary>
    public bool Allows(string host)
    {
        string h = StripBrackets(host).TrimEnd('.');
        if (h.Length == 0) return false;
        if (IPAddress.TryParse(h, out var ip))
        {
            return IPAddress.IsLoopback(ip) || _addresses.Contains(Normalise(ip));
        }
        return _names.Contains(h);
    }

    private void AddOwnNamesAndAddresses()
    {
        try
        {
            string host = Dns.GetHostName();
            if (host.Length > 0) _names.Add(host);
            var props = IPGlobalProperties.GetIPGlobalProperties();
            if (!string.IsNullOrEmpty(props.DomainName) && host.Length > 0 && !host.Contains('.'))
                _names.Add(host + "." + props.DomainName);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or NetworkInformationException) { }
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
                foreach (var a in nic.GetIPProperties().UnicastAddresses)
                    _addresses.Add(Normalise(a.Address));
        }
        catch (NetworkInformationException) { }
    }

    private static IPAddress Normalise(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && ip.ScopeId != 0)
            ip = new IPAddress(ip.GetAddressBytes()); // a Host header carries no zone
        return ip;
    }

    private static string StripBrackets(string h) => h.Length > 2 && h[0] == '[' && h[^1] == ']' ? h[1..^1] : h;
}
