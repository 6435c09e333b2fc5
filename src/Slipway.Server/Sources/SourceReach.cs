using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Slipway.Server.Sources;

/// <summary>Thrown when a source URL's host resolves only to addresses a build may not fetch from.</summary>
public sealed class SourceReachException(string message) : IOException(message);

/// <summary>
/// Where a build may download its source from. Unless <see cref="Builds.BuildOptions.AllowPrivateSources"/>
/// is set, never from this machine or its private networks (loopback, link-local, private and
/// shared ranges, multicast, unspecified): a URL would otherwise let any user read the server's
/// internal services. The check is made on the addresses the connection really goes to, at
/// connect time (<see cref="ConnectAsync"/>), so a name that resolves elsewhere a second time
/// (DNS rebinding) gains nothing; redirects connect through it too.
/// </summary>
public static partial class SourceReach
{
    /// <summary>git's own setting for the protocols it may use when private sources are not allowed: never <c>file</c> or <c>ext</c>.</summary>
    public const string NetworkProtocolsOnly = "https:http:git:ssh";

    private static readonly (IPAddress Network, int Prefix)[] Refused =
    [
        (IPAddress.Parse("0.0.0.0"), 8),
        (IPAddress.Parse("10.0.0.0"), 8),
        (IPAddress.Parse("100.64.0.0"), 10),
        (IPAddress.Parse("127.0.0.0"), 8),
        (IPAddress.Parse("169.254.0.0"), 16),
        (IPAddress.Parse("172.16.0.0"), 12),
        (IPAddress.Parse("192.0.0.0"), 24),
        (IPAddress.Parse("192.168.0.0"), 16),
        (IPAddress.Parse("198.18.0.0"), 15),
        (IPAddress.Parse("224.0.0.0"), 4),
        (IPAddress.Parse("240.0.0.0"), 4),
        (IPAddress.Parse("::"), 128),
        (IPAddress.Parse("::1"), 128),
        (IPAddress.Parse("fc00::"), 7),
        (IPAddress.Parse("fe80::"), 10),
        (IPAddress.Parse("fec0::"), 10),
        (IPAddress.Parse("ff00::"), 8),
    ];

    /// <summary>Whether <paramref name="address"/> is this machine or on a private network (IPv4-mapped IPv6 counts as its IPv4).</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return Refused.Any(r => r.Network.AddressFamily == address.AddressFamily && InNetwork(address, r.Network, r.Prefix));
    }

    /// <summary>
    /// Connects to <paramref name="endpoint"/> on one of its public addresses, or (when
    /// <paramref name="allowPrivate"/>) on any; throws <see cref="SourceReachException"/> when it has none.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowPrivate, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        var allowed = allowPrivate ? addresses : [.. addresses.Where(a => !IsPrivate(a))];
        if (allowed.Length == 0)
        {
            throw addresses.Length == 0 ? NoAddress(endpoint.Host) : Refusal(endpoint.Host);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Refuses a git remote (<c>https://</c>, <c>http://</c>, <c>git://</c>, <c>ssh://</c> or scp-like
    /// <c>user@host:path</c>) whose host resolves to any address on this machine or a private network,
    /// unless <paramref name="allowPrivate"/>. git resolves the name again when it connects, so this is
    /// the check before the command, with redirects turned off and only network protocols allowed
    /// (see <see cref="NetworkProtocolsOnly"/>). A local path or <c>file:</c> URL is not a remote:
    /// callers decide those (<see cref="IsLocalPath"/>).
    /// </summary>
    public static async Task EnsureRemoteAllowedAsync(string url, bool allowPrivate, CancellationToken ct)
    {
        if (allowPrivate || IsLocalPath(url))
        {
            return;
        }

        var host = RemoteHost(url) ?? throw new SourceReachException("The repository URL names no host.");
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        }
        catch (SocketException)
        {
            addresses = [];
        }

        if (addresses.Length == 0)
        {
            throw NoAddress(host);
        }

        if (addresses.Any(IsPrivate))
        {
            throw Refusal(host);
        }
    }

    /// <summary>Whether a repository or buildpack location is on the server's own disk: an absolute path or a <c>file:</c> URL.</summary>
    public static bool IsLocalPath(string url) => url.StartsWith('/') || url.StartsWith("file:", StringComparison.OrdinalIgnoreCase);

    /// <summary>The host of a git remote URL, scp-like <c>user@host:path</c> included; null when it names none.</summary>
    public static string? RemoteHost(string url)
    {
        if (ScpLike().Match(url) is { Success: true } scp)
        {
            return scp.Groups["host"].Value;
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.DnsSafeHost.Length > 0 ? uri.DnsSafeHost : null;
    }

    /// <summary>git's scp-like remote syntax, <c>[user@]host:path</c> (a path not starting with <c>/</c> after the colon is what tells it from a URL).</summary>
    [GeneratedRegex("^(?:[A-Za-z0-9._-]+@)?(?<host>[A-Za-z0-9.-]+):(?<path>[^/].*)$")]
    public static partial Regex ScpLike();

    private static SourceReachException NoAddress(string host) => new($"{host} has no address.");

    private static SourceReachException Refusal(string host) =>
        new($"{host} is on this machine or a private network, which builds may not fetch from (an admin can allow it: Slipway:Builds:AllowPrivateSources).");

    private static bool InNetwork(IPAddress address, IPAddress network, int prefix)
    {
        Span<byte> a = stackalloc byte[16];
        Span<byte> n = stackalloc byte[16];
        address.TryWriteBytes(a, out var length);
        network.TryWriteBytes(n, out _);
        for (var bit = 0; bit < prefix && bit < length * 8; bit += 8)
        {
            var bits = Math.Min(8, prefix - bit);
            var mask = (byte)(0xff << (8 - bits));
            if ((a[bit / 8] & mask) != (n[bit / 8] & mask))
            {
                return false;
            }
        }

        return true;
    }
}
