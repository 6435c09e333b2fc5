using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Slipway.Contracts;

namespace Slipway.Cli.Tests.Commands;

public sealed partial class RepoCommandsTests(AutoDeployServerFixture fixture) : IClassFixture<AutoDeployServerFixture>
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
        var release = await fixture.Api.WaitForReleaseAsync(app, 1);
        var builds = await fixture.Api.ListBuildsAsync(app);
        var aka = fixture.Aka with { Clock = new FakeTimeProvider(release.CreatedAt.AddMinutes(1)) };
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
        var release = await fixture.Api.WaitForReleaseAsync(app, 1);
        var aka = fixture.Aka with { Clock = new FakeTimeProvider(release.CreatedAt.AddMinutes(1)) };
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
        await fixture.Api.DeploySlugAsync(app);
        await fixture.Api.DeploySlugAsync(app);
        await fixture.Aka.RunAsync("rollback", "v1", "-a", app);
        var watched = await fixture.Aka.RunAsync("releases", "-a", app);
        await fixture.Aka.RunAsync("repo:unset", "-a", app);

        var unwatched = await fixture.Aka.RunAsync("releases", "-a", app);
        await fixture.Api.DeploySlugAsync(app);
        var deployed = await fixture.Aka.RunAsync("releases", "-a", app);

        Assert.EndsWith("\tRollback to v1\nCurrent release v3 is a rollback to v1; the next push to main (or aka releases:create) deploys normally again.\n", watched.Out);
        Assert.EndsWith("\tRollback to v1\nCurrent release v3 is a rollback to v1; the next aka releases:create deploys normally again.\n", unwatched.Out);
        Assert.DoesNotContain("rollback to", deployed.Out);
        Assert.Equal(4, deployed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    private static List<ArchiveFile> Web(string content) =>
    [
        new ArchiveFile("Procfile", $"web: {SlipwayApi.StaticWeb}\n"),
        new ArchiveFile("index.html", content + " " + Guid.NewGuid()),
    ];

    private async Task<string> CreateAppAsync()
    {
        var n = Interlocked.Increment(ref _counter);
        var space = await fixture.Api.CreateSpaceAsync($"repospace{n}");
        return (await fixture.Api.CreateAppAsync(space.Name, $"repoapp{n}")).Name;
    }

    [GeneratedRegex("\nSecret: +([0-9a-f]+)\n")]
    private static partial Regex SecretLine();
}
