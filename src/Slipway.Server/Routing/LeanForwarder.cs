using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Slipway.Server.Routing;

/// <summary>How one attempt to forward a request to one web process ended.</summary>
internal enum ForwardOutcome
{
    /// <summary>The process answered and the answer went to the client.</summary>
    Served,

    /// <summary>Nothing reached the process (refused, or not listening yet): another one may take the request.</summary>
    NotReached,

    /// <summary>The client's request body could not be read (broken framing, cut short).</summary>
    ClientBodyBroken,

    /// <summary>The client went away.</summary>
    Canceled,

    /// <summary>The process answered badly or not at all.</summary>
    Failed,
}

/// <summary>The end of one forwarding attempt; <see cref="Detail"/> says why when it is not <see cref="ForwardOutcome.Served"/>.</summary>
internal readonly record struct Forwarded(ForwardOutcome Outcome, string? Detail = null)
{
    public static readonly Forwarded Served = new(ForwardOutcome.Served);
}

/// <summary>
/// The router's forwarder for plain HTTP/1.x requests: Kestrel parsed the client's request; this
/// writes the request head to the process in one buffer on a pooled keep-alive connection (Host
/// kept, X-Forwarded-For/Proto/Port and X-Request-Start set, hop-by-hop headers dropped), streams
/// the body (Content-Length, or chunked), parses the response head and copies the response body by
/// its framing (Content-Length, chunked, or until the process closes). Upgrades, <c>Expect</c>,
/// HTTP/2 and other unusual requests are not taken (<see cref="Takes"/>): YARP forwards those.
/// </summary>
internal sealed class LeanForwarder(TimeProvider clock)
{
    /// <summary>The longest response head (status line and headers) a process may send.</summary>
    private const int MaxHeadLength = 64 * 1024;

    /// <summary>The longest chunk-size or trailer line of a chunked response.</summary>
    private const int MaxLineLength = 8 * 1024;

    /// <summary>Request headers that are the connection's own, or that the router sets itself.</summary>
    private static readonly string[] RequestHeadersNotSent =
    [
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Expect",
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Port", "X-Request-Start",
    ];

    /// <summary>Response header names the router does not allocate a string for.</summary>
    private static readonly string[] KnownResponseHeaders =
    [
        "Content-Type", "Date", "Server", "Cache-Control", "ETag", "Last-Modified", "Location", "Set-Cookie", "Vary", "Expires",
        "Content-Encoding", "Content-Language", "Content-Disposition", "Accept-Ranges", "X-Powered-By", "Pragma", "Age", "Access-Control-Allow-Origin",
    ];

    // The router listens on one port: its text is made once (a race only makes it twice).
    private int _port;
    private byte[] _portText = [];
    private Remote? _lastRemote;

    /// <summary>Whether the request is a plain HTTP/1.x one this forwarder takes (anything else goes to YARP).</summary>
    public static bool Takes(HttpContext context)
    {
        var request = context.Request;
        if (!HttpProtocol.IsHttp11(request.Protocol) && !HttpProtocol.IsHttp10(request.Protocol))
        {
            return false;
        }

        var headers = request.Headers;
        if (headers.Upgrade.Count > 0 || headers.Expect.Count > 0 || HttpMethods.IsConnect(request.Method))
        {
            return false;
        }

        var transferEncoding = headers.TransferEncoding;
        if (transferEncoding.Count > 0 && (transferEncoding.Count > 1 || !string.Equals(transferEncoding[0], "chunked", StringComparison.OrdinalIgnoreCase) || headers.ContentLength is not null))
        {
            return false;
        }

        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        return target is { Length: > 0 } && target[0] == '/';
    }

    /// <summary>Forwards the request to <paramref name="destination"/>; the caller holds the destination (acquired) meanwhile.</summary>
    public async Task<Forwarded> ForwardAsync(HttpContext context, Destination destination)
    {
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        var chunked = request.Headers.TransferEncoding.Count > 0;
        var hasBody = chunked || request.ContentLength > 0;
        var head = new HeadBuffer(ArrayPool<byte>.Shared.Rent(4096));
        try
        {
            WriteHead(context, chunked, ref head);
            for (var attempt = 0; ; attempt++)
            {
                // A request without a body can be sent again on a fresh connection when a pooled one turns
                // out closed, so the pool's poll is spared for it on the first attempt.
                var connection = destination.Pool.Rent(check: hasBody || attempt > 0);
                if (connection is null)
                {
                    try
                    {
                        connection = await UpstreamConnection.ConnectAsync(destination.Pool.EndPoint, cancellationToken);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        return new(ForwardOutcome.Canceled);
                    }
                    catch (Exception e) when (e is SocketException or OperationCanceledException)
                    {
                        return new(ForwardOutcome.NotReached, e.Message);
                    }
                }

                var exchange = new Exchange(context, connection, cancellationToken);
                var result = await exchange.RunAsync(head.Written, hasBody, chunked);
                if (exchange.Reusable)
                {
                    destination.Pool.Return(connection);
                }
                else
                {
                    await connection.DisposeAsync();
                }

                if (result.Outcome == ForwardOutcome.NotReached && attempt < 2)
                {
                    // A pooled connection the process had closed before anything was sent back: a fresh one takes the request.
                    continue;
                }

                return result;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head.Buffer);
        }
    }

    private void WriteHead(HttpContext context, bool chunked, ref HeadBuffer head)
    {
        var request = context.Request;
        head.Append(request.Method);
        head.Append(" "u8);
        head.Append(context.Features.Get<IHttpRequestFeature>()!.RawTarget);
        head.Append(" HTTP/1.1\r\n"u8);
        foreach (var (name, values) in request.Headers)
        {
            if (IsOneOf(name, RequestHeadersNotSent))
            {
                continue;
            }

            foreach (var value in values)
            {
                head.Header(name, value);
            }
        }

        if (RemoteText(context.Connection.RemoteIpAddress) is { } remote)
        {
            var earlier = request.Headers["X-Forwarded-For"].ToString();
            head.Header("X-Forwarded-For", earlier.Length > 0 ? $"{earlier}, {remote}" : remote);
        }

        head.Header("X-Forwarded-Proto", request.Scheme);
        var port = context.Connection.LocalPort;
        if (port != _port)
        {
            _portText = Encoding.ASCII.GetBytes(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            _port = port;
        }

        head.Append("X-Forwarded-Port: "u8);
        head.Append(_portText);
        head.Append("\r\nX-Request-Start: "u8);
        head.Number(clock.GetUtcNow().ToUnixTimeMilliseconds());
        head.Append(chunked ? "\r\nTransfer-Encoding: chunked\r\n\r\n"u8 : "\r\n\r\n"u8);
    }

    /// <summary>The client's address as text, made once per address in a row (clients here are mostly on loopback).</summary>
    private string? RemoteText(System.Net.IPAddress? address)
    {
        if (address is null)
        {
            return null;
        }

        var last = _lastRemote;
        if (last is not null && last.Address.Equals(address))
        {
            return last.Text;
        }

        var text = address.ToString();
        _lastRemote = new Remote(address, text);
        return text;
    }

    private sealed record Remote(System.Net.IPAddress Address, string Text);

    private static bool IsOneOf(string name, string[] names)
    {
        foreach (var candidate in names)
        {
            if (string.Equals(name, candidate, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The request head being written into a pooled buffer, grown when a header does not fit.</summary>
    private struct HeadBuffer(byte[] buffer)
    {
        public byte[] Buffer { get; private set; } = buffer;

        public int Length { get; private set; }

        public readonly ReadOnlyMemory<byte> Written => Buffer.AsMemory(0, Length);

        public void Append(ReadOnlySpan<byte> bytes)
        {
            Ensure(bytes.Length);
            bytes.CopyTo(Buffer.AsSpan(Length));
            Length += bytes.Length;
        }

        public void Append(string text)
        {
            Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
            Length += Encoding.UTF8.GetBytes(text, Buffer.AsSpan(Length));
        }

        public void Header(string name, string? value)
        {
            Append(name);
            Append(": "u8);
            Append(value ?? "");
            Append("\r\n"u8);
        }

        public void Number(long value)
        {
            Ensure(20);
            Utf8Formatter.TryFormat(value, Buffer.AsSpan(Length), out var written);
            Length += written;
        }

        private void Ensure(int more)
        {
            if (Length + more <= Buffer.Length)
            {
                return;
            }

            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(Buffer.Length * 2, Length + more));
            Buffer.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(Buffer);
            Buffer = bigger;
        }
    }

    /// <summary>The process broke HTTP/1.1's framing in its answer.</summary>
    private sealed class BadResponseException(string message) : Exception(message);

    /// <summary>One request and its response on one connection.</summary>
    private sealed class Exchange(HttpContext context, UpstreamConnection connection, CancellationToken cancellationToken)
    {
        private bool _bodyRead;
        private bool _answered;
        private bool _responseWritten;

        /// <summary>Whether the connection ended the exchange cleanly and may carry the next request.</summary>
        public bool Reusable { get; private set; }

        public async Task<Forwarded> RunAsync(ReadOnlyMemory<byte> head, bool hasBody, bool chunked)
        {
            try
            {
                try
                {
                    await connection.Stream.WriteAsync(head, cancellationToken);
                }
                catch (IOException e) when (connection.Reused)
                {
                    return new(ForwardOutcome.NotReached, e.Message);
                }

                if (hasBody)
                {
                    var sent = await SendBodyAsync(chunked);
                    if (sent is { } failed)
                    {
                        return failed;
                    }
                }

                return await ReceiveAsync();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return new(ForwardOutcome.Canceled);
            }
            catch (Exception e) when (e is IOException or SocketException or BadResponseException)
            {
                if (_responseWritten)
                {
                    // Part of the answer is on its way to the client: all that is left is to cut the client's connection.
                    context.Abort();
                }

                return new(ForwardOutcome.Failed, e.Message);
            }
        }

        /// <summary>Copies the client's body to the process; an outcome when that could not be done.</summary>
        private async Task<Forwarded?> SendBodyAsync(bool chunked)
        {
            var body = context.Request.BodyReader;
            var upstream = PipeWriter.Create(connection.Stream, new StreamPipeWriterOptions(leaveOpen: true));
            try
            {
                while (true)
                {
                    ReadResult read;
                    try
                    {
                        read = await body.ReadAsync(cancellationToken);
                    }
                    catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
                    {
                        return new(ForwardOutcome.ClientBodyBroken, e.Message);
                    }
                    catch (IOException e)
                    {
                        return new(ForwardOutcome.ClientBodyBroken, e.Message);
                    }

                    var buffer = read.Buffer;
                    if (!buffer.IsEmpty)
                    {
                        _bodyRead = true;
                        if (chunked)
                        {
                            var size = upstream.GetSpan(20);
                            Utf8Formatter.TryFormat(buffer.Length, size, out var written, new StandardFormat('x'));
                            "\r\n"u8.CopyTo(size[written..]);
                            upstream.Advance(written + 2);
                        }

                        foreach (var segment in buffer)
                        {
                            upstream.Write(segment.Span);
                        }

                        if (chunked)
                        {
                            upstream.Write("\r\n"u8);
                        }
                    }

                    body.AdvanceTo(buffer.End);
                    if (read.IsCompleted)
                    {
                        break;
                    }

                    await upstream.FlushAsync(cancellationToken);
                }

                if (chunked)
                {
                    upstream.Write("0\r\n\r\n"u8);
                }

                await upstream.FlushAsync(cancellationToken);
                return null;
            }
            finally
            {
                await upstream.CompleteAsync();
            }
        }

        private async Task<Forwarded> ReceiveAsync()
        {
            var reader = connection.Reader;
            var response = context.Response;
            Head parsed;
            while (true)
            {
                var read = await ReadSomeAsync(reader);
                if (read is null)
                {
                    return new(ForwardOutcome.NotReached, "The process had closed the kept-alive connection.");
                }

                var buffer = read.Value.Buffer;
                if (!TryFindHead(buffer, out var headBytes, out var afterHead))
                {
                    if (read.Value.IsCompleted)
                    {
                        throw new BadResponseException("The process closed the connection before it answered.");
                    }

                    if (buffer.Length > MaxHeadLength)
                    {
                        throw new BadResponseException("The process's response head is too long.");
                    }

                    reader.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                parsed = ParseHead(headBytes, response);
                reader.AdvanceTo(afterHead);
                if (parsed.Status >= 200)
                {
                    break;
                }

                if (parsed.Status == StatusCodes.Status101SwitchingProtocols)
                {
                    throw new BadResponseException("The process switched protocols on a request that did not ask for it.");
                }

                // 100 Continue or 103 Early Hints (not passed on): the final answer follows.
            }

            response.StatusCode = parsed.Status;
            var noBody = HttpMethods.IsHead(context.Request.Method) || parsed.Status is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified;
            if (parsed.ContentLength is { } length && parsed.Status != StatusCodes.Status204NoContent)
            {
                response.ContentLength = length;
            }

            var keepAlive = parsed.KeepAlive;
            if (noBody)
            {
                // Nothing to copy.
            }
            else if (parsed.Chunked)
            {
                await CopyChunkedAsync(reader);
            }
            else if (parsed.ContentLength is { } exact)
            {
                await CopyExactlyAsync(reader, exact);
            }
            else
            {
                keepAlive = false;
                await CopyToEndAsync(reader);
            }

            if (_responseWritten)
            {
                await FlushAsync(context.Response.BodyWriter);
            }

            // Bytes after the response that nobody asked for would be taken for the next answer.
            if (keepAlive && reader.TryRead(out var extra))
            {
                keepAlive = extra.Buffer.IsEmpty && !extra.IsCompleted;
                reader.AdvanceTo(extra.Buffer.Start);
            }

            Reusable = keepAlive;
            return Forwarded.Served;
        }

        /// <summary>The next read of the response; null when a reused connection turned out closed before any byte came back.</summary>
        private async ValueTask<ReadResult?> ReadSomeAsync(PipeReader reader)
        {
            ReadResult read;
            try
            {
                read = await reader.ReadAsync(cancellationToken);
            }
            catch (IOException) when (connection.Reused && !_bodyRead && !_answered)
            {
                return null;
            }

            if (read.Buffer.IsEmpty)
            {
                return read.IsCompleted && connection.Reused && !_bodyRead && !_answered ? null : read;
            }

            _answered = true;
            return read;
        }

        private async Task CopyExactlyAsync(PipeReader reader, long length)
        {
            var output = context.Response.BodyWriter;
            while (length > 0)
            {
                var read = await reader.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                var slice = buffer.Slice(0, Math.Min(length, buffer.Length));
                Write(output, slice);
                length -= slice.Length;
                reader.AdvanceTo(slice.End);
                if (length == 0)
                {
                    break;
                }

                if (read.IsCompleted)
                {
                    throw new BadResponseException("The process closed the connection before the whole body (Content-Length) was sent.");
                }

                await FlushAsync(output);
            }
        }

        private async Task CopyToEndAsync(PipeReader reader)
        {
            var output = context.Response.BodyWriter;
            while (true)
            {
                var read = await reader.ReadAsync(cancellationToken);
                Write(output, read.Buffer);
                reader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }

                await FlushAsync(output);
            }
        }

        private async Task CopyChunkedAsync(PipeReader reader)
        {
            while (true)
            {
                var size = await ReadLineAsync(reader, chunkSize: true);
                if (size == 0)
                {
                    // Trailers (not forwarded) up to the empty line.
                    while (await ReadLineAsync(reader, chunkSize: false) > 0)
                    {
                    }

                    return;
                }

                await CopyExactlyAsync(reader, size);
                if (await ReadLineAsync(reader, chunkSize: false) != 0)
                {
                    throw new BadResponseException("A chunk of the process's response is longer than its size says.");
                }

                await FlushAsync(context.Response.BodyWriter);
            }
        }

        /// <summary>Reads one line of a chunked body: the chunk size it gives, or (not a size line) its length.</summary>
        private async Task<long> ReadLineAsync(PipeReader reader, bool chunkSize)
        {
            while (true)
            {
                var read = await reader.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                var lines = new SequenceReader<byte>(buffer);
                if (lines.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
                {
                    var value = chunkSize ? ChunkSize(line) : line.Length;
                    reader.AdvanceTo(lines.Position);
                    return value;
                }

                if (read.IsCompleted || buffer.Length > MaxLineLength)
                {
                    throw new BadResponseException("The process's chunked response is cut short or malformed.");
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }

        private static long ChunkSize(ReadOnlySequence<byte> line)
        {
            Span<byte> text = stackalloc byte[32];
            var length = (int)Math.Min(line.Length, text.Length);
            line.Slice(0, length).CopyTo(text);
            text = text[..length];
            if (text.IndexOfAny((byte)';', (byte)' ', (byte)'\t') is var end and >= 0)
            {
                text = text[..end];
            }

            if (text.IsEmpty || !Utf8Parser.TryParse(text, out long size, out var consumed, 'x') || consumed != text.Length || size < 0)
            {
                throw new BadResponseException("The process's chunked response has a bad chunk size.");
            }

            return size;
        }

        private void Write(PipeWriter output, ReadOnlySequence<byte> bytes)
        {
            if (bytes.IsEmpty)
            {
                return;
            }

            _responseWritten = true;
            foreach (var segment in bytes)
            {
                output.Write(segment.Span);
            }
        }

        private async ValueTask FlushAsync(PipeWriter output)
        {
            var flushed = await output.FlushAsync(cancellationToken);
            if (flushed.IsCanceled || flushed.IsCompleted)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }
    }

    /// <summary>What the response head says about the body that follows.</summary>
    private readonly record struct Head(int Status, long? ContentLength, bool Chunked, bool KeepAlive);

    private static bool TryFindHead(ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> head, out SequencePosition after)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.TryReadTo(out head, "\r\n\r\n"u8))
        {
            after = reader.Position;
            return true;
        }

        after = default;
        return false;
    }

    /// <summary>Parses the status line and headers; the end-to-end headers go into <paramref name="response"/>.</summary>
    private static Head ParseHead(ReadOnlySequence<byte> head, HttpResponse response)
    {
        byte[]? rented = null;
        ReadOnlySpan<byte> bytes;
        if (head.IsSingleSegment)
        {
            bytes = head.FirstSpan;
        }
        else
        {
            rented = ArrayPool<byte>.Shared.Rent((int)head.Length);
            head.CopyTo(rented);
            bytes = rented.AsSpan(0, (int)head.Length);
        }

        try
        {
            return ParseHead(bytes, response);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static Head ParseHead(ReadOnlySpan<byte> bytes, HttpResponse response)
    {
        var lineEnd = bytes.IndexOf("\r\n"u8);
        var statusLine = lineEnd >= 0 ? bytes[..lineEnd] : bytes;
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != ' '
            || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out var consumed) || consumed != 3 || status < 100 || status > 999
            || (statusLine.Length > 12 && statusLine[12] != ' '))
        {
            throw new BadResponseException("The process did not answer with an HTTP/1.x status line.");
        }

        var keepAlive = statusLine[7] == '1';
        long? contentLength = null;
        var chunked = false;
        var rest = lineEnd >= 0 ? bytes[(lineEnd + 2)..] : [];
        var headers = status >= 200 ? response.Headers : null;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end >= 0 ? rest[..end] : rest;
            rest = end >= 0 ? rest[(end + 2)..] : [];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[0] is (byte)' ' or (byte)'\t' || line[..colon].ContainsAny((byte)' ', (byte)'\t'))
            {
                throw new BadResponseException("The process sent a malformed response header.");
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long length, out var used) || used != value.Length || length < 0 || (contentLength is { } earlier && earlier != length))
                {
                    throw new BadResponseException("The process sent a bad Content-Length.");
                }

                contentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                if (!value.TrimEnd(" \t"u8).EndsWith("chunked"u8) && !Ascii.EqualsIgnoreCase(value, "chunked"u8))
                {
                    throw new BadResponseException("The process sent a Transfer-Encoding other than chunked.");
                }

                chunked = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                if (HasToken(value, "close"u8))
                {
                    keepAlive = false;
                }
                else if (HasToken(value, "keep-alive"u8))
                {
                    keepAlive = true;
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Keep-Alive"u8) || Ascii.EqualsIgnoreCase(name, "Proxy-Connection"u8)
                || Ascii.EqualsIgnoreCase(name, "TE"u8) || Ascii.EqualsIgnoreCase(name, "Trailer"u8) || Ascii.EqualsIgnoreCase(name, "Upgrade"u8))
            {
                // The connection's own headers, not the client's.
            }
            else if (headers is not null)
            {
                headers.Append(NameOf(name), Encoding.Latin1.GetString(value));
            }
        }

        if (chunked)
        {
            // Chunked framing wins over a Content-Length (RFC 9112 6.3); such an answer is not kept alive.
            keepAlive &= contentLength is null;
            contentLength = null;
        }

        return new Head(status, contentLength, chunked, keepAlive);
    }

    private static bool HasToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (var range in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }

    private static string NameOf(ReadOnlySpan<byte> name)
    {
        foreach (var known in KnownResponseHeaders)
        {
            if (Ascii.EqualsIgnoreCase(name, known))
            {
                return known;
            }
        }

        return Encoding.ASCII.GetString(name);
    }
}
