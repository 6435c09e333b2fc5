using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace Slipway.Server.Routing;

/// <summary>
/// One keep-alive HTTP/1.1 connection from the router to a web process: the socket, the stream the
/// request is written to and the reader the response is parsed from (kept across requests).
/// </summary>
internal sealed class UpstreamConnection : IAsyncDisposable
{
    private UpstreamConnection(Socket socket)
    {
        Socket = socket;
        Stream = new NetworkStream(socket, ownsSocket: true);
        Reader = PipeReader.Create(Stream, new StreamPipeReaderOptions(bufferSize: 8192, minimumReadSize: 2048, leaveOpen: true));
    }

    public Socket Socket { get; }

    public NetworkStream Stream { get; }

    public PipeReader Reader { get; }

    /// <summary>Whether the connection came out of the pool (the process may have closed it since) rather than being new.</summary>
    public bool Reused { get; set; }

    /// <summary>A new connection; throws <see cref="SocketException"/> when nothing listens there.</summary>
    public static async ValueTask<UpstreamConnection> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = endPoint is IPEndPoint
            ? new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await socket.ConnectAsync(endPoint, timeout.Token);
            return new UpstreamConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// False when the process closed the connection while it sat in the pool (or sent something
    /// unasked): readable with nothing to read means the other side is gone.
    /// </summary>
    public bool LooksAlive()
    {
        try
        {
            return !Socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Reader.CompleteAsync();
        await Stream.DisposeAsync();
    }
}

/// <summary>
/// The idle keep-alive connections to one web process, most recently used first (a lock-free stack).
/// Closed when the process is retired; a connection given back after that is closed at once.
/// </summary>
internal sealed class UpstreamPool(EndPoint endPoint)
{
    /// <summary>Idle connections kept beyond this number are closed rather than pooled.</summary>
    private const int MaxIdle = 512;

    private readonly ConcurrentStack<UpstreamConnection> _idle = new();
    private int _closed;

    public EndPoint EndPoint { get; } = endPoint;

    /// <summary>
    /// An idle connection, or null (then the caller connects). With <paramref name="check"/> only one
    /// that still looks open (a poll, one system call): for a request whose body could not be sent again.
    /// </summary>
    public UpstreamConnection? Rent(bool check)
    {
        while (_idle.TryPop(out var connection))
        {
            if (!check || connection.LooksAlive())
            {
                connection.Reused = true;
                return connection;
            }

            _ = connection.DisposeAsync().AsTask();
        }

        return null;
    }

    /// <summary>Keeps a connection whose last exchange ended cleanly, for the next request.</summary>
    public void Return(UpstreamConnection connection)
    {
        if (Volatile.Read(ref _closed) == 1 || _idle.Count >= MaxIdle)
        {
            _ = connection.DisposeAsync().AsTask();
            return;
        }

        _idle.Push(connection);
        if (Volatile.Read(ref _closed) == 1)
        {
            Close();
        }
    }

    /// <summary>Closes the idle connections and pools no more (the process goes away).</summary>
    public void Close()
    {
        Interlocked.Exchange(ref _closed, 1);
        while (_idle.TryPop(out var connection))
        {
            _ = connection.DisposeAsync().AsTask();
        }
    }
}
