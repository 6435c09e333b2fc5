using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Slipway.Server.Data;
using Slipway.Contracts;

namespace Slipway.Server.Tests.AutoDeploy;

/// <summary>
/// Auto-deploy end to end: a real bare git repository polled with <c>git ls-remote</c>, and
/// signed GitHub push payloads against a stand-in that serves the tarballs; every build is real
/// and every release really runs.
/// </summary>
public abstract class AutoDeployTests(AutoDeployServerFixture fixture)
{
    private const string Owner = "jdoe";

    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task Poller_CommitPushedToWatchedBranch_ReleasesAutoDeployWithCommitAuthorAndMessage()
    {
        using var repo = GitRepo.Create();
        var first = repo.CommitAndPush(Web("first"), "Initial commit");
        var app = await _api.CreateAppAsync();

        var set = await _api.SetAutoDeployAsync(app.Name, new { repo = repo.Bare });
        var sha = repo.CommitAndPush(Web("second"), "My commit message\n\nWith a body.");
        var release = await _api.WaitForReleaseAsync(app.Name, 1);

        Assert.Equal("main", set.Branch);
        Assert.Equal("git", set.Kind);
        Assert.Equal(first, set.LastCommit);
        Assert.Equal("succeeded", release.Status);
        Assert.Matches("^Auto-Deploy [0-9a-f]{8}$", release.Description);
        Assert.Equal(new ReleaseSource(sha, "Jane Doe", "My commit message\n\nWith a body."), release.Source);
        var build = Assert.Single(await _api.ListBuildsAsync(app.Name));
        Assert.Equal($"Auto-Deploy {build.Id.ToString("N")[..8]}", release.Description);
        Assert.Equal(new BuildSourceBlob(repo.Bare, build.SourceBlob.Checksum, null, sha, "Jane Doe", "My commit message\n\nWith a body.", repo.Bare, "main"), build.SourceBlob);
        var shown = await _api.GetAutoDeployAsync(app.Name);
        Assert.Equal(sha, shown.LastCommit);
        Assert.Equal(build.Id, shown.LastBuild?.Id);
        Assert.Equal(1, shown.LastBuild?.Release?.Version);
        Assert.Null(shown.WebhookSecret);
        Assert.False(Directory.Exists(Path.Combine(fixture.Server.DataDir, "builds", "git")) && Directory.EnumerateFileSystemEntries(Path.Combine(fixture.Server.DataDir, "builds", "git")).Any());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Set_RepositoryOnTheServersDisk_IsForAdminsOnly(bool fileUrl)
    {
        using var repo = GitRepo.Create();
        repo.CommitAndPush(Web("first"), "Initial commit");
        var path = fileUrl ? new Uri(repo.Bare).AbsoluteUri : repo.Bare;
        var token = await _api.CreateUserAsync($"local{SlipwayApi.Unique()}@example.com");
        using var user = fixture.Server.Api(token);
        var app = await user.CreateAppAsync((await user.CreateSpaceAsync()).Name);

        var refused = await user.Http.PostAsJsonAsync($"/apps/{app.Name}/builds/auto", new { repo = path }, SlipwayJson.Options);
        var watched = await _api.SetAutoDeployAsync(app.Name, new { repo = path });

        Assert.StartsWith("Only an admin may watch a repository on the server's disk", await SlipwayApi.ProblemAsync(refused, HttpStatusCode.Forbidden));
        Assert.Equal(path, watched.Repo);
    }

    [Fact]
    public async Task Poller_PushToAnotherBranch_BuildsNothing()
    {
        using var repo = GitRepo.Create();
        repo.CommitAndPush(Web("first"), "Initial commit");
        var app = await _api.CreateAppAsync();
        await _api.SetAutoDeployAsync(app.Name, new { repo = repo.Bare, branch = "main" });

        repo.CommitAndPush(Web("other"), "Elsewhere", branch: "feature");
        var sha = repo.CommitAndPush(Web("main"), "On main");
        await _api.WaitForReleaseAsync(app.Name, 1);

        Assert.Equal(sha, Assert.Single(await _api.ListBuildsAsync(app.Name)).SourceBlob.Commit);
    }

    [Fact]
    public async Task Set_UnreadableRepositoryOrBadBranch_Is422AndWatchesNothing()
    {
        var app = await _api.CreateAppAsync();

        var missing = await _api.Http.PostAsJsonAsync($"/apps/{app.Name}/builds/auto", new { repo = "/nonexistent/repo.git" });
        var option = await _api.Http.PostAsJsonAsync($"/apps/{app.Name}/builds/auto", new { repo = "--upload-pack=touch /tmp/x" });
        var branch = await _api.Http.PostAsJsonAsync($"/apps/{app.Name}/builds/auto", new { repo = "https://github.com/jdoe/app", branch = "../x" });

        Assert.Contains("Cannot read /nonexistent/repo.git", await SlipwayApi.ProblemAsync(missing, HttpStatusCode.UnprocessableEntity));
        Assert.Contains("repo must be", await SlipwayApi.ProblemAsync(option, HttpStatusCode.UnprocessableEntity));
        Assert.Contains("branch", await SlipwayApi.ProblemAsync(branch, HttpStatusCode.UnprocessableEntity));
        Assert.Contains("does not watch", await SlipwayApi.ProblemAsync(await _api.Http.GetAsync($"/apps/{app.Name}/builds/auto"), HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task SetGetUnset_GitHubRepo_SaysTheBranchAndNeverShowsTheToken()
    {
        var app = await _api.CreateAppAsync();

        var set = await _api.SetAutoDeployAsync(app.Name, new { repo = "https://github.com/JDoe/App.git", branch = "release", username = "jdoe", token = "ghp_secret_token", auto_deploy = true });
        var getBody = await _api.Http.GetStringAsync($"/apps/{app.Name}/builds/auto");
        var unset = await SlipwayApi.ReadAsync<AutoDeployResponse>(await _api.Http.DeleteAsync($"/apps/{app.Name}/builds/auto"), HttpStatusCode.OK);

        Assert.Equal(("github", "release", true, "jdoe"), (set.Kind, set.Branch, set.TokenSet, set.Username));
        Assert.Equal($"{fixture.Server.BaseAddress}apps/{app.Name}/builds/auto/github", set.WebhookUrl);
        Assert.Matches("^[0-9a-f]{40}$", set.WebhookSecret);
        Assert.DoesNotContain("ghp_secret_token", getBody);
        Assert.DoesNotContain(set.WebhookSecret!, getBody);
        Assert.Contains("\"branch\":\"release\"", getBody);
        Assert.Equal("release", unset.Branch);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Http.GetAsync($"/apps/{app.Name}/builds/auto")).StatusCode);
    }

    [Fact]
    public async Task GitHubPush_Signed_BuildsTheTarballWithTheTokenAndReleasesWithNameAndLogin()
    {
        var app = await _api.CreateAppAsync();
        var repo = "app" + SlipwayApi.Unique();
        var set = await _api.SetAutoDeployAsync(app.Name, new { repo = $"https://github.com/{Owner}/{repo}", token = "ghp_secret_token" });
        var sha = GitHubStandIn.RandomSha();
        fixture.GitHub.AddCommit(Owner, repo, sha, Web("github"));

        var ping = await DeliverAsync($"/apps/{app.Name}/builds/auto/github", "ping", GitHubStandIn.PingPayload(Owner, repo), set.WebhookSecret!);
        var push = await DeliverAsync($"/apps/{app.Name}/builds/auto/github", "push", GitHubStandIn.PushPayload(Owner, repo, "refs/heads/main", sha, "My commit message"), set.WebhookSecret!);
        var release = await _api.WaitForReleaseAsync(app.Name, 1);

        Assert.Equal("pong", (await SlipwayApi.ReadAsync<WebhookResponse>(ping, HttpStatusCode.OK)).Result);
        var queued = await SlipwayApi.ReadAsync<WebhookResponse>(push, HttpStatusCode.Accepted);
        Assert.Equal("queued", queued.Result);
        Assert.Contains("main", queued.Message);
        Assert.Equal("succeeded", release.Status);
        Assert.Equal(new ReleaseSource(sha, "Jane Doe (jdoe)", "My commit message"), release.Source);
        Assert.Equal("Bearer ghp_secret_token", fixture.GitHub.Authorizations[$"/repos/{Owner}/{repo}/tarball/{sha}"]);
    }

    [Fact]
    public async Task GitHubPush_AllAppsRoute_FindsTheAppByRepositoryAndBranch()
    {
        var app = await _api.CreateAppAsync();
        var other = await _api.CreateAppAsync();
        var repo = "app" + SlipwayApi.Unique();
        var set = await _api.SetAutoDeployAsync(app.Name, new { repo = $"https://github.com/{Owner}/{repo}", branch = "main", token = "t" });
        await _api.SetAutoDeployAsync(other.Name, new { repo = $"https://github.com/{Owner}/{repo}", branch = "main", token = "t" });
        var sha = GitHubStandIn.RandomSha();
        fixture.GitHub.AddCommit(Owner, repo, sha, Web("all"));

        var push = await DeliverAsync("/hooks/github", "push", GitHubStandIn.PushPayload(Owner, repo, "refs/heads/main", sha, "Via the shared hook"), set.WebhookSecret!);
        var release = await _api.WaitForReleaseAsync(app.Name, 1);

        Assert.Equal([app.Name], (await SlipwayApi.ReadAsync<WebhookResponse>(push, HttpStatusCode.Accepted)).Apps);
        Assert.Equal(sha, release.Source?.Commit);
        Assert.Empty(await _api.ListBuildsAsync(other.Name));
    }

    [Fact]
    public async Task GitHubPush_BadSignatureOtherBranchTagOrDeletion_BuildsNothing()
    {
        var app = await _api.CreateAppAsync();
        var repo = "app" + SlipwayApi.Unique();
        var set = await _api.SetAutoDeployAsync(app.Name, new { repo = $"https://github.com/{Owner}/{repo}", token = "t" });
        var path = $"/apps/{app.Name}/builds/auto/github";
        var sha = GitHubStandIn.RandomSha();
        fixture.GitHub.AddCommit(Owner, repo, sha, Web("ignored"));
        var body = GitHubStandIn.PushPayload(Owner, repo, "refs/heads/main", sha, "Pushed");

        using var anonymous = fixture.Server.Client(token: null);
        var wrong = await anonymous.SendAsync(GitHubStandIn.Delivery(path, "push", body, GitHubStandIn.Sign(body, "not-the-secret")));
        var missing = await anonymous.SendAsync(GitHubStandIn.Delivery(path, "push", body, null));
        var wrongShared = await anonymous.SendAsync(GitHubStandIn.Delivery("/hooks/github", "push", body, GitHubStandIn.Sign(body, "not-the-secret")));
        var otherBranch = await DeliverAsync(path, "push", GitHubStandIn.PushPayload(Owner, repo, "refs/heads/feature", sha, "Pushed"), set.WebhookSecret!);
        var tag = await DeliverAsync(path, "push", GitHubStandIn.PushPayload(Owner, repo, "refs/tags/v1.0.0", sha, "Pushed"), set.WebhookSecret!);
        var deletion = await DeliverAsync(path, "push", GitHubStandIn.PushPayload(Owner, repo, "refs/heads/main", new string('0', 40), "Pushed", deleted: true), set.WebhookSecret!);

        await SlipwayApi.ProblemAsync(wrong, HttpStatusCode.Unauthorized);
        await SlipwayApi.ProblemAsync(missing, HttpStatusCode.Unauthorized);
        await SlipwayApi.ProblemAsync(wrongShared, HttpStatusCode.Unauthorized);
        Assert.Contains("watches main, not feature", (await SlipwayApi.ReadAsync<WebhookResponse>(otherBranch, HttpStatusCode.Accepted)).Message);
        Assert.Contains("is a tag", (await SlipwayApi.ReadAsync<WebhookResponse>(tag, HttpStatusCode.Accepted)).Message);
        Assert.Contains("was deleted", (await SlipwayApi.ReadAsync<WebhookResponse>(deletion, HttpStatusCode.Accepted)).Message);

        // Then a good delivery, twice (GitHub redelivers): one build, and only of it.
        await DeliverAsync(path, "push", body, set.WebhookSecret!);
        await DeliverAsync(path, "push", body, set.WebhookSecret!);
        await _api.WaitForReleaseAsync(app.Name, 1);
        Assert.Equal(sha, Assert.Single(await _api.ListBuildsAsync(app.Name)).SourceBlob.Commit);
    }

    [Fact]
    public async Task GitHubPush_TwoQuickPushes_ReleaseInCommitOrderAndTheNewestEndsCurrent()
    {
        var app = await _api.CreateAppAsync();
        var repo = "app" + SlipwayApi.Unique();
        var set = await _api.SetAutoDeployAsync(app.Name, new { repo = $"https://github.com/{Owner}/{repo}", token = "t" });
        var (first, second) = (GitHubStandIn.RandomSha(), GitHubStandIn.RandomSha());
        fixture.GitHub.AddCommit(Owner, repo, first, Web("one"));
        fixture.GitHub.AddCommit(Owner, repo, second, Web("two"));
        var path = $"/apps/{app.Name}/builds/auto/github";

        await DeliverAsync(path, "push", GitHubStandIn.PushPayload(Owner, repo, "refs/heads/main", first, "First"), set.WebhookSecret!);
        await DeliverAsync(path, "push", GitHubStandIn.PushPayload(Owner, repo, "refs/heads/main", second, "Second"), set.WebhookSecret!);
        await _api.WaitForReleaseAsync(app.Name, 2);

        var releases = await _api.ListReleasesAsync(app.Name);
        Assert.Equal([first, second], releases.Select(r => r.Source?.Commit));
        Assert.True(releases[1].Current);
        Assert.Equal(["succeeded", "succeeded"], releases.Select(r => r.Status));
    }

    [Fact]
    public async Task GitHubPush_BrokenBuild_CreatesNoReleaseAndTheCurrentOneKeepsRunning()
    {
        var app = await _api.CreateAppAsync();
        var repo = "app" + SlipwayApi.Unique();
        var set = await _api.SetAutoDeployAsync(app.Name, new { repo = $"https://github.com/{Owner}/{repo}", token = "t" });
        var (good, broken) = (GitHubStandIn.RandomSha(), GitHubStandIn.RandomSha());
        fixture.GitHub.AddCommit(Owner, repo, good, Web("good"));
        fixture.GitHub.AddCommit(Owner, repo, broken, [new ArchiveFile("README.md", "no Procfile, no buildpack detects this")]);
        var path = $"/apps/{app.Name}/builds/auto/github";
        await DeliverAsync(path, "push", GitHubStandIn.PushPayload(Owner, repo, "refs/heads/main", good, "Good"), set.WebhookSecret!);
        await _api.WaitForReleaseAsync(app.Name, 1);

        await DeliverAsync(path, "push", GitHubStandIn.PushPayload(Owner, repo, "refs/heads/main", broken, "Broken"), set.WebhookSecret!);
        var failed = await WaitForBuildAsync(app.Name, broken);

        Assert.Equal("failed", failed.Status);
        var release = Assert.Single(await _api.ListReleasesAsync(app.Name));
        Assert.True(release.Current);
        Assert.Equal(good, release.Source?.Commit);
        var shown = await _api.GetAutoDeployAsync(app.Name);
        Assert.Equal(("failed", broken), (shown.LastBuild?.Status, shown.LastBuild?.Commit));
    }

    [Fact]
    public async Task GitHubPush_AfterARollback_DeploysAgain()
    {
        var app = await _api.CreateAppAsync();
        var repo = "app" + SlipwayApi.Unique();
        var set = await _api.SetAutoDeployAsync(app.Name, new { repo = $"https://github.com/{Owner}/{repo}", token = "t" });
        var shas = new[] { GitHubStandIn.RandomSha(), GitHubStandIn.RandomSha(), GitHubStandIn.RandomSha() };
        var path = $"/apps/{app.Name}/builds/auto/github";
        foreach (var sha in shas)
        {
            fixture.GitHub.AddCommit(Owner, repo, sha, Web(sha));
        }

        await DeliverAsync(path, "push", GitHubStandIn.PushPayload(Owner, repo, "refs/heads/main", shas[0], "One"), set.WebhookSecret!);
        await DeliverAsync(path, "push", GitHubStandIn.PushPayload(Owner, repo, "refs/heads/main", shas[1], "Two"), set.WebhookSecret!);
        await _api.WaitForReleaseAsync(app.Name, 2);
        var rollback = await _api.RollbackAsync(app.Name, "v1");

        await DeliverAsync(path, "push", GitHubStandIn.PushPayload(Owner, repo, "refs/heads/main", shas[2], "Three"), set.WebhookSecret!);
        var release = await _api.WaitForReleaseAsync(app.Name, 4);

        Assert.Equal(1, rollback.RollbackOf);
        Assert.Equal(shas[2], release.Source?.Commit);
        Assert.True(release.Current);
    }

    [Fact]
    public async Task GitHubPush_OlderCommitEndsAfterANewerOneWasReleased_BuildIsKeptButNotReleased()
    {
        var app = await _api.CreateAppAsync();
        var repo = "app" + SlipwayApi.Unique();
        var set = await _api.SetAutoDeployAsync(app.Name, new { repo = $"https://github.com/{Owner}/{repo}", token = "t" });
        var (newer, older) = (GitHubStandIn.RandomSha(), GitHubStandIn.RandomSha());
        fixture.GitHub.AddCommit(Owner, repo, newer, Web("newer"));
        fixture.GitHub.AddCommit(Owner, repo, older, Web("older"));
        var path = $"/apps/{app.Name}/builds/auto/github";
        await DeliverAsync(path, "push", GitHubStandIn.PushPayload(Owner, repo, "refs/heads/main", newer, "Newer"), set.WebhookSecret!);
        await _api.WaitForReleaseAsync(app.Name, 1);

        // As if the newer commit's build had started after the one that follows: the next build is then of an older push.
        await using (var db = await fixture.Server.Services.GetRequiredService<IDbContextFactory<SlipwayDb>>().CreateDbContextAsync())
        {
            await db.Builds.Where(b => b.AppId == app.Id).ExecuteUpdateAsync(s => s.SetProperty(b => b.CreatedAt, fixture.Clock.GetUtcNow().AddHours(1)));
        }

        await DeliverAsync(path, "push", GitHubStandIn.PushPayload(Owner, repo, "refs/heads/main", older, "Older"), set.WebhookSecret!);
        var build = await WaitForBuildAsync(app.Name, older);

        Assert.Equal("succeeded", build.Status);
        Assert.Null(build.Release);
        Assert.Equal($"Not released: superseded by {newer[..7]} (released as v1).", build.Notes);
        var release = Assert.Single(await _api.ListReleasesAsync(app.Name));
        Assert.Equal(newer, release.Source?.Commit);
    }

    private static List<ArchiveFile> Web(string content) =>
    [
        new ArchiveFile("Procfile", "web: python3 -m http.server --bind 127.0.0.1 $PORT\n"),
        new ArchiveFile("index.html", content + " " + SlipwayApi.Unique()),
    ];

    private async Task<HttpResponseMessage> DeliverAsync(string path, string eventName, byte[] body, string secret)
    {
        using var anonymous = fixture.Server.Client(token: null);
        var response = await anonymous.SendAsync(GitHubStandIn.Delivery(path, eventName, body, GitHubStandIn.Sign(body, secret)));
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task<BuildResponse> WaitForBuildAsync(string app, string commit) => (await Poll.UntilAsync<BuildResponse?>(
        async () => (await _api.ListBuildsAsync(app)).FirstOrDefault(b => b.SourceBlob.Commit == commit && b.Status != "pending"),
        build => build is not null,
        _ => $"No ended build of {commit} after 2 minutes.",
        TimeSpan.FromMinutes(2)))!;
}

public sealed class SqliteAutoDeployTests(AutoDeployServerFixture fixture) : AutoDeployTests(fixture), IClassFixture<AutoDeployServerFixture>;

public sealed class PostgresAutoDeployTests(PostgresAutoDeployServerFixture fixture) : AutoDeployTests(fixture), IClassFixture<PostgresAutoDeployServerFixture>;
