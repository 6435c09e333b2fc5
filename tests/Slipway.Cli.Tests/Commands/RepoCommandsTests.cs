using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Slipway.Contracts;
using Slipway.TestSupport;

namespace Slipway.Cli.Tests;

/// <summary>A server that polls git repositories every half second and fetches GitHub tarballs from a stand-in, with the CLI fixture's helpers.</summary>
public sealed class AutoDeployCliFixture : IAsyncLifetime
{
    private GitHubStandIn? _github;
    private SlipwayTestServer? _server;

    public GitHubStandIn GitHub => _github ?? throw new InvalidOperationException("The GitHub stand-in has not started.");

    public SlipwayTestServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public Aka Aka => new(Server.BaseAddress);

    public async ValueTask InitializeAsync()
    {
        _github = await GitHubStandIn.StartAsync();
        _server = await SlipwayTestServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Slipway:GitHub:ApiUrl"] = _github.BaseAddress.ToString().TrimEnd('/'),
            ["Slipway:Git:PollSeconds"] = "0.5",
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_github is not null)
        {
            await _github.DisposeAsync();
        }
    }
}

public sealed partial class RepoCommandsTests(AutoDeployCliFixture fixture) : IClassFixture<AutoDeployCliFixture>
{
    private static int _counter;

    [Fact]
    public async Task Releases_AfterAGitPush_ShowsTheAutoDeployWithAuthorMessageAndSha()
    {
        using var repo = GitRepo.Create();
        var head = repo.CommitAndPush(Web("first"), "Initial commit");
        var app = await CreateAppAsync();

        var set = await fixture.Aka.RunAsync("repo:set", repo.Bare, "-a", app);
        var sha = repo.CommitAndPush(Web("second"), "My commit message\n\nMore about it.");
        var release = await WaitForReleaseAsync(app, 1);
        var builds = await GetAsync<List<BuildResponse>>($"/apps/{app}/builds");
        var aka = fixture.Aka with { Clock = new FixedClock(release.CreatedAt.AddMinutes(1)) };
        var releases = await aka.RunAsync("releases", "-a", app);

        Assert.Equal(
            $"Watching main of {repo.Bare} for {app} ... ✓\n" +
            "Every push to main builds and deploys " + app + " (the repository is polled with git ls-remote).\n" +
            $"Head now: {head[..7]}\n",
            set.Out);
        Assert.Equal(0, set.ExitCode);
        Assert.Equal($"• v1\t1 minute ago\tAuto-Deploy {Assert.Single(builds).Id.ToString("N")[..8]} - Jane Doe - My commit message - {sha[..7]}\n", releases.Out);
    }

    [Fact]
    public async Task RepoSet_GitHub_PrintsBranchWebhookUrlAndSecret_ThenASignedPushReleasesWithTheLogin()
    {
        var app = await CreateAppAsync();
        var name = "app" + Interlocked.Increment(ref _counter);

        var set = await fixture.Aka.RunAsync("repo:set", $"https://github.com/jdoe/{name}", "-a", app, "--branch", "main", "--username", "jdoe", "--token", "ghp_cli_token");
        var secret = SecretLine().Match(set.Out).Groups[1].Value;
        var sha = GitHubStandIn.RandomSha();
        fixture.GitHub.AddCommit("jdoe", name, sha, Web("gh"));
        var body = GitHubStandIn.PushPayload("jdoe", name, "refs/heads/main", sha, "My commit message");
        using var anonymous = fixture.Server.Client(token: null);
        using var delivered = await anonymous.SendAsync(GitHubStandIn.Delivery($"/apps/{app}/builds/auto/github", "push", body, GitHubStandIn.Sign(body, secret)), TestContext.Current.CancellationToken);
        var release = await WaitForReleaseAsync(app, 1);
        var aka = fixture.Aka with { Clock = new FixedClock(release.CreatedAt.AddMinutes(1)) };
        var releases = await aka.RunAsync("releases", "-a", app);
        var shown = await aka.RunAsync("repo", "-a", app);
        var unset = await fixture.Aka.RunAsync("repo:unset", "-a", app);

        Assert.Equal(
            $"Watching main of https://github.com/jdoe/{name} for {app} ... ✓\n" +
            $"Every push to main builds and deploys {app}. Add this webhook to the GitHub repository\n" +
            "(Settings > Webhooks > Add webhook, content type application/json, just the push event):\n" +
            $"Payload URL: {fixture.Server.BaseAddress}apps/{app}/builds/auto/github\n" +
            $"Secret:      {secret}\n",
            set.Out);
        Assert.Matches("^[0-9a-f]{40}$", secret);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, delivered.StatusCode);
        Assert.Matches($"^• v1\t1 minute ago\tAuto-Deploy [0-9a-f]{{8}} - Jane Doe \\(jdoe\\) - My commit message - {sha[..7]}\n$", releases.Out);
        Assert.Contains("\nBranch:      main\n", shown.Out);
        Assert.Contains($"\nLast commit: {sha[..7]} (1 minute ago)\n", shown.Out);
        Assert.Contains("released as v1", shown.Out);
        Assert.Contains("\nToken:       set (hidden)\n", shown.Out);
        Assert.DoesNotContain("ghp_cli_token", shown.Out);
        Assert.Equal($"No longer watching main of https://github.com/jdoe/{name} for {app} ... ✓\n", unset.Out);
        var after = await fixture.Aka.RunAsync("repo", "-a", app);
        Assert.Equal(1, after.ExitCode);
        Assert.Contains("does not watch a repository", after.Error);
    }

    [Fact]
    public async Task Releases_CurrentIsARollback_EndsWithOneLineSayingHowToDeployNormallyAgain()
    {
        var app = await CreateAppAsync();
        var name = "app" + Interlocked.Increment(ref _counter);
        await fixture.Aka.RunAsync("repo:set", $"https://github.com/jdoe/{name}", "-a", app, "--token", "t");
        await DeploySlugAsync(app);
        await DeploySlugAsync(app);
        await fixture.Aka.RunAsync("rollback", "v1", "-a", app);
        var watched = await fixture.Aka.RunAsync("releases", "-a", app);
        await fixture.Aka.RunAsync("repo:unset", "-a", app);

        var unwatched = await fixture.Aka.RunAsync("releases", "-a", app);
        await DeploySlugAsync(app);
        var deployed = await fixture.Aka.RunAsync("releases", "-a", app);

        Assert.EndsWith("\tRollback to v1\nCurrent release v3 is a rollback to v1; the next push to main (or aka releases:create) deploys normally again.\n", watched.Out);
        Assert.EndsWith("\tRollback to v1\nCurrent release v3 is a rollback to v1; the next aka releases:create deploys normally again.\n", unwatched.Out);
        Assert.DoesNotContain("rollback to", deployed.Out);
        Assert.Equal(4, deployed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    private static List<ArchiveFile> Web(string content) =>
    [
        new ArchiveFile("Procfile", $"web: {ServerFixture.WorkingWeb}\n"),
        new ArchiveFile("index.html", content + " " + Guid.NewGuid()),
    ];

    private async Task<string> CreateAppAsync()
    {
        var n = Interlocked.Increment(ref _counter);
        await PostAsync<SpaceResponse>("/spaces", new CreateSpaceRequest($"repospace{n}", null));
        return (await PostAsync<AppResponse>("/apps", new CreateAppRequest($"repoapp{n}", $"repospace{n}"))).Name;
    }

    /// <summary>Deploys a slug through the API (a web process that works) and waits until it settled.</summary>
    private async Task DeploySlugAsync(string app)
    {
        var bytes = SlugBytes();
        var slug = await PostAsync<SlugResponse>($"/apps/{app}/slugs", new CreateSlugRequest(new Dictionary<string, string> { ["web"] = ServerFixture.WorkingWeb }, "SHA256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), null, null, bytes.Length));
        using var client = fixture.Server.Client();
        using var put = await client.PutAsync(slug.Blob.Url, new ByteArrayContent(bytes), TestContext.Current.CancellationToken);
        put.EnsureSuccessStatusCode();
        var release = await PostAsync<ReleaseResponse>($"/apps/{app}/releases", new CreateReleaseRequest(slug.Id.ToString(), null, null));
        await WaitForReleaseAsync(app, release.Version);
    }

    private async Task<ReleaseResponse> WaitForReleaseAsync(string app, int version)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var releases = await GetAsync<List<ReleaseResponse>>($"/apps/{app}/releases");
            if (releases.FirstOrDefault(r => r.Version == version && r.Status != "pending") is { } release)
            {
                return release;
            }

            var failed = (await GetAsync<List<BuildResponse>>($"/apps/{app}/builds")).FirstOrDefault(b => b.Status == "failed");
            Assert.True(failed is null, $"Build {failed?.Id} failed: {failed?.FailureReason}");
            Assert.True(DateTime.UtcNow < deadline, $"{app} has no settled v{version} after 2 minutes.");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private async Task<T> GetAsync<T>(string path)
    {
        using var client = fixture.Server.Client();
        return (await client.GetFromJsonAsync<T>(path, SlipwayJson.Options, TestContext.Current.CancellationToken))!;
    }

    private async Task<T> PostAsync<T>(string path, object body)
    {
        using var client = fixture.Server.Client();
        using var response = await client.PostAsync(path, JsonContent.Create(body, body.GetType(), options: SlipwayJson.Options), TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (await response.Content.ReadFromJsonAsync<T>(SlipwayJson.Options, TestContext.Current.CancellationToken))!;
    }

    private static byte[] SlugBytes()
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new System.Formats.Tar.TarWriter(gzip, System.Formats.Tar.TarEntryFormat.Pax))
        {
            tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "./app/Procfile")
            {
                DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"web: {ServerFixture.WorkingWeb}\n# {Guid.NewGuid()}\n")),
            });
        }

        return buffer.ToArray();
    }

    [GeneratedRegex("\nSecret: +([0-9a-f]+)\n")]
    private static partial Regex SecretLine();
}
