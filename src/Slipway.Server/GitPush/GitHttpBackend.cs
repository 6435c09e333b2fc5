using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Slipway.Server.Runtime;

namespace Slipway.Server.GitPush;

/// <summary>
/// Serves git's smart HTTP protocol by running git's own CGI program, <c>git http-backend</c>
/// (which runs <c>upload-pack</c> and <c>receive-pack --stateless-rpc</c>): the request body is fed
/// to it and its answer streamed back. Nothing of the protocol is written here. Once a push's
/// body is in, the program is left to finish even if the client goes away, so that a push whose
/// build started ends the way it would have.
/// </summary>
public sealed partial class GitHttpBackend(ProcessLauncher launcher, AppRepositories repositories, ILogger<GitHttpBackend> logger)
{
    private const int MaxHeaderBytes = 64 * 1024;

    /// <summary>
    /// Runs <c>git http-backend</c> for <paramref name="service"/> (<c>info/refs</c>,
    /// <c>git-upload-pack</c> or <c>git-receive-pack</c>) on the repository of <paramref name="appId"/>.
    /// </summary>
    public async Task ServeAsync(HttpContext http, Guid appId, string service, string user, long? maxBody, IEnumerable<KeyValuePair<string, string>> extra)
    {
        var request = http.Request;
        if (maxBody is { } max && http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max;
        }

        if (maxBody is { } most && request.ContentLength > most)
        {
            await RefuseAsync(http, StatusCodes.Status413PayloadTooLarge, $"The push is {request.ContentLength} bytes; at most {most} are taken (Slipway:Git:MaxPushBytes).");
            return;
        }

        var cgi = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GIT_PROJECT_ROOT"] = repositories.Root,
            ["GIT_HTTP_EXPORT_ALL"] = "1",
            ["PATH_INFO"] = $"/{AppRepositories.NameOf(appId)}/{service}",
            ["REQUEST_METHOD"] = request.Method,
            ["QUERY_STRING"] = request.QueryString.HasValue ? request.QueryString.Value![1..] : "",
            ["CONTENT_TYPE"] = request.ContentType ?? "",
            ["REMOTE_USER"] = user,
            ["REMOTE_ADDR"] = http.Connection.RemoteIpAddress?.ToString() ?? "",
            ["SERVER_PROTOCOL"] = request.Protocol,
        };
        if (request.ContentLength is { } length)
        {
            cgi["CONTENT_LENGTH"] = length.ToString(CultureInfo.InvariantCulture);
        }

        if (request.Headers.ContentEncoding.ToString() is { Length: > 0 } encoding)
        {
            cgi["HTTP_CONTENT_ENCODING"] = encoding;
        }

        if (request.Headers["Git-Protocol"].ToString() is { Length: > 0 } protocol)
        {
            cgi["HTTP_GIT_PROTOCOL"] = protocol;
        }

        var errors = new StringBuilder();
        var spec = new ProcessSpec("git", ["http-backend"], repositories.Root, repositories.Environment(cgi.Concat(extra)));
        await using var process = launcher.StartPiped(spec, line =>
        {
            lock (errors)
            {
                errors.AppendLine(line);
            }
        });

        var fed = FeedAsync(request.Body, process.Input, http.RequestAborted);
        var answered = await AnswerAsync(http, process.Output);
        var bodyRead = await fed;
        var exit = await process.WaitAsync(CancellationToken.None);
        if (!bodyRead && !http.Response.HasStarted)
        {
            await RefuseAsync(http, StatusCodes.Status400BadRequest, "The request body could not be read whole.");
        }
        else if (!answered && !http.Response.HasStarted)
        {
            string said;
            lock (errors)
            {
                said = errors.ToString();
            }

            Log.BackendFailed(logger, service, exit, said.Trim());
            await RefuseAsync(http, StatusCodes.Status500InternalServerError, "git could not serve this request.");
        }
    }

    /// <summary>Copies the request body to git; false when it could not be read whole (too large, or the client went away).</summary>
    private static async Task<bool> FeedAsync(Stream body, Stream input, CancellationToken ct)
    {
        try
        {
            await body.CopyToAsync(input, ct);
            return true;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException)
        {
            return false;
        }
        finally
        {
            try
            {
                await input.DisposeAsync();
            }
            catch (IOException)
            {
                // git stopped reading: its answer says why.
            }
        }
    }

    /// <summary>
    /// Reads the CGI headers git writes, sets them on the response and streams the rest; answers
    /// whether git wrote an answer. A client that went away is not written to any more, but git's
    /// output is read to its end.
    /// </summary>
    private static async Task<bool> AnswerAsync(HttpContext http, Stream output)
    {
        var buffer = new byte[64 * 1024];
        var header = new MemoryStream();
        int bodyStart;
        while (true)
        {
            var read = await output.ReadAsync(buffer);
            if (read == 0)
            {
                return false;
            }

            header.Write(buffer, 0, read);
            bodyStart = EndOfHeaders(header.GetBuffer().AsSpan(0, (int)header.Length));
            if (bodyStart >= 0)
            {
                break;
            }

            if (header.Length > MaxHeaderBytes)
            {
                return false;
            }
        }

        var all = header.GetBuffer().AsSpan(0, (int)header.Length);
        var response = http.Response;
        foreach (var line in Encoding.ASCII.GetString(all[..bodyStart]).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var (name, value) = (line[..colon].Trim(), line[(colon + 1)..].Trim());
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                response.StatusCode = int.Parse(value.Split(' ')[0], CultureInfo.InvariantCulture);
            }
            else
            {
                response.Headers.Append(name, value);
            }
        }

        var client = response.Body;
        var connected = await WriteAsync(client, all[bodyStart..].ToArray(), true, http.RequestAborted);
        int count;
        while ((count = await output.ReadAsync(buffer)) > 0)
        {
            connected = await WriteAsync(client, buffer.AsMemory(0, count), connected, http.RequestAborted);
        }

        return true;
    }

    private static async Task<bool> WriteAsync(Stream client, ReadOnlyMemory<byte> bytes, bool connected, CancellationToken ct)
    {
        if (!connected)
        {
            return false;
        }

        try
        {
            await client.WriteAsync(bytes, ct);
            await client.FlushAsync(ct);
            return true;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Where the body starts after the CGI headers (a blank line, LF or CRLF), or -1.</summary>
    private static int EndOfHeaders(ReadOnlySpan<byte> bytes)
    {
        for (var i = 0; i < bytes.Length - 1; i++)
        {
            if (bytes[i] == '\n' && bytes[i + 1] == '\n')
            {
                return i + 2;
            }

            if (bytes[i] == '\n' && bytes[i + 1] == '\r' && i + 2 < bytes.Length && bytes[i + 2] == '\n')
            {
                return i + 3;
            }
        }

        return -1;
    }

    private static async Task RefuseAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync(message + "\n");
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "git http-backend for {Service} exited with {Exit} without an answer: {Errors}")]
        public static partial void BackendFailed(ILogger logger, string service, int exit, string errors);
    }
}
