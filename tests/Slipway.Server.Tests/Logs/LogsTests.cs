using System.Text.RegularExpressions;
using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Logs;

/// <summary>An app's log: recent lines with their time and source, and a tail that follows new lines live.</summary>
public sealed class LogsTests(RuntimeServerFixture fixture) : IClassFixture<RuntimeServerFixture>
{
    private static readonly Dictionary<string, string> WebAndWorkers = ProcessTests.WebAndWorkers;

    [Fact]
    public async Task Logs_RecentLines_HaveTimestampAndSource()
    {
        await using var app = await fixture.CreateAppAsync();
        var version = await app.DeploySucceededAsync(await app.UploadSlugAsync("A", WebAndWorkers));

        var logs = await app.LogsAsync();

        Assert.Matches(LogLine("app\\[web\\.1\\]: listening on \\d+"), logs);
        Assert.Matches(LogLine($"slipway\\[release\\]: Release v{version} succeeded"), logs);
        Assert.Single((await app.LogsAsync(lines: 1)).TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Logs_Tail_FollowsNewLinesLive()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", WebAndWorkers));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Poll.Default);
        using var response = await app.Api.GetAsync($"/apps/{app.Key}/log-sessions?lines=0&tail=true", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        var version = await app.SetConfigAsync(new() { ["GREETING"] = "tail" });

        string? line;
        while ((line = await reader.ReadLineAsync(timeout.Token)) is not null && !line.Contains($"Release v{version} succeeded", StringComparison.Ordinal))
        {
        }

        Assert.NotNull(line);
    }

    private static Regex LogLine(string rest) => new($"(?m)^\\d{{4}}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{{6}}\\+00:00 {rest}$");
}
