using System.Diagnostics;
using System.Net;
using Slipway.Contracts;
using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.GitPush;

/// <summary>
/// <c>git push</c> to an app's remote with the real git client over real HTTP: credentials from a
/// test HOME's <c>.netrc</c> as <c>aka login</c> writes them, every build real, every release really
/// served by the router.
/// </summary>
public abstract class GitPushTests(GitPushServerFixture fixture) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("slipway-push-").FullName;

    [Fact]
    public async Task Push_ToMain_StreamsTheBuildAndServesTheCommit_AndTheRemoteClonesBack()
    {
        await using var app = await fixture.CreateAppAsync();
        var work = Clone(app.Key, "work");
        var sha = Commit(work, Web("first push"), "My commit message");

        var push = Git(work, "push", "origin", "main");

        Assert.True(push.Code == 0, push.Error);
        Assert.Contains("remote: -----> ", push.Error);
        Assert.Contains("remote: Released v1", push.Error);
        Assert.Contains($"remote: http://{app.Key}.localhost:{fixture.Server.RouterPort} deployed to Slipway", push.Error);
        Assert.Contains("main -> main", push.Error);
        Assert.StartsWith("first push", await app.ServesAsync("first push"));
        var release = await fixture.Api.GetReleaseAsync(app.Key, 1);
        Assert.Equal("succeeded", release.Status);
        Assert.Matches("^Deploy [0-9a-f]{8}$", release.Description);
        Assert.Equal(new ReleaseSource(sha, "Jane Doe", "My commit message"), release.Source);
        var build = Assert.Single(await fixture.Api.ListBuildsAsync(app.Key));
        Assert.Equal($"Deploy {build.Id.ToString("N")[..8]}", release.Description);
        Assert.Equal("main", build.SourceBlob.Branch);
        Assert.Equal(RemoteOf(app.Key), build.SourceBlob.Url);

        var again = Clone(app.Key, "again");
        Assert.Equal(sha, Git(again, "rev-parse", "HEAD").Out.Trim());
        Assert.StartsWith("first push", File.ReadAllText(Path.Combine(again, "index.html")));
    }

    [Fact]
    public async Task Push_WhoseBuildFails_IsRejected_AndTheRefStaysWhereItWas()
    {
        await using var app = await fixture.CreateAppAsync();
        var work = Clone(app.Key, "work");
        var good = Commit(work, Web("good"), "Good");
        Assert.Equal(0, Git(work, "push", "origin", "main").Code);
        Git(work, "rm", "--quiet", "Procfile", "index.html");
        var bad = Commit(work, [new ArchiveFile("README.txt", "nothing to run")], "Nothing to run");

        var push = Git(work, "push", "origin", "main");

        Assert.NotEqual(0, push.Code);
        Assert.Contains("remote: ! Build ", push.Error);
        Assert.Contains("[remote rejected] main -> main", push.Error);
        Assert.Contains($"{good}\trefs/heads/main", Git(work, "ls-remote", "origin").Out);
        Assert.DoesNotContain(bad, Git(work, "ls-remote", "origin").Out);
        Assert.Equal(["succeeded", "failed"], (await fixture.Api.ListBuildsAsync(app.Key)).Select(b => b.Status));
        Assert.Equal(1, (await fixture.Api.GetAppAsync(app.Key)).CurrentVersion);
        Assert.StartsWith("good", await app.ServesAsync("good"));
    }

    [Fact]
    public async Task Push_WithoutAGoodToken_OrToAnAppTheCallerCannotSee_IsRefusedBeforeAnythingIsBuilt()
    {
        await using var app = await fixture.CreateAppAsync();
        var work = Clone(app.Key, "work");
        Commit(work, Web("never"), "Never built");
        var stranger = await fixture.Api.CreateUserAsync($"{SlipwayApi.Unique("stranger")}@example.com");

        var badToken = GitAs(Netrc("slw_not_a_token"), work, "push", "origin", "main");
        var noToken = GitAs(Netrc(null), work, "push", "origin", "main");
        var unseen = GitAs(Netrc(stranger), work, "push", "origin", "main");
        using var anonymous = fixture.Server.Client(token: null);
        var refs = await anonymous.GetAsync($"/git/{app.Key}.git/info/refs?service=git-receive-pack");
        var badBasic = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/git/{app.Key}.git/info/refs?service=git-receive-pack")
        {
            Headers = { Authorization = new("Basic", Convert.ToBase64String("someone:slw_not_a_token"u8.ToArray())) },
        });
        using var strangerClient = fixture.Server.Client(stranger);
        var strangerRefs = await strangerClient.GetAsync($"/git/{app.Key}.git/info/refs?service=git-upload-pack");

        // Refused, git would ask for other credentials: told not to, it stops there.
        Assert.NotEqual(0, badToken.Code);
        Assert.Contains("could not read Username", badToken.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, badBasic.StatusCode);
        Assert.NotEqual(0, noToken.Code);
        Assert.Contains("could not read Username", noToken.Error);
        Assert.NotEqual(0, unseen.Code);
        Assert.Contains("not found", unseen.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, refs.StatusCode);
        Assert.Equal("Basic realm=\"Slipway\"", refs.Headers.WwwAuthenticate.ToString());
        Assert.Equal(HttpStatusCode.NotFound, strangerRefs.StatusCode);
        Assert.Empty(await fixture.Api.ListBuildsAsync(app.Key));
    }

    [Fact]
    public async Task Push_ToAnotherBranch_IsStoredWithANote_AndBuildsNothing()
    {
        await using var app = await fixture.CreateAppAsync();
        var work = Clone(app.Key, "work");
        var sha = Commit(work, Web("feature"), "A feature");

        var push = Git(work, "push", "origin", "main:feature");

        Assert.True(push.Code == 0, push.Error);
        Assert.Contains("remote: Note: feature is stored but not deployed; only main deploys.", push.Error);
        Assert.Contains($"{sha}\trefs/heads/feature", Git(work, "ls-remote", "origin").Out);
        Assert.Empty(await fixture.Api.ListBuildsAsync(app.Key));
    }

    [Fact]
    public async Task Push_ThatRewritesMain_IsRefusedUnlessForced()
    {
        await using var app = await fixture.CreateAppAsync();
        var work = Clone(app.Key, "work");
        Commit(work, Web("one"), "One");
        Assert.Equal(0, Git(work, "push", "origin", "main").Code);
        File.WriteAllText(Path.Combine(work, "index.html"), "rewritten");
        Git(work, "-c", "user.name=Jane Doe", "-c", "user.email=jane@example.com", "commit", "--quiet", "--all", "--amend", "-m", "One, rewritten");

        var plain = Git(work, "push", "origin", "main");
        var forced = Git(work, "push", "--force", "origin", "main");

        Assert.NotEqual(0, plain.Code);
        Assert.Contains("non-fast-forward", plain.Error);
        Assert.True(forced.Code == 0, forced.Error);
        Assert.Contains("remote: Released v2", forced.Error);
        Assert.StartsWith("rewritten", await app.ServesAsync("rewritten"));
    }

    [Fact]
    public async Task TwoPushesAtOnce_AreTakenInTurn_AndTheOneMadeAgainstAnOldMainIsRefused()
    {
        await using var app = await fixture.CreateAppAsync();
        var first = Clone(app.Key, "first");
        var second = Clone(app.Key, "second");
        Commit(first, Web("from first"), "First");
        Commit(second, Web("from second"), "Second");

        var pushes = await Task.WhenAll(
            Task.Run(() => Git(first, "push", "origin", "main")),
            Task.Run(() => Git(second, "push", "origin", "main")));

        Assert.Single(pushes, p => p.Code == 0);
        var refused = Assert.Single(pushes, p => p.Code != 0);
        Assert.Contains("main moved while you pushed", refused.Error);
        var release = Assert.Single(await fixture.Api.ListReleasesAsync(app.Key));
        Assert.Equal("succeeded", release.Status);
    }

    [Fact]
    public async Task Push_LargerThanTheLimit_IsRefused_AndBuildsNothing()
    {
        await using var app = await fixture.CreateAppAsync();
        var work = Clone(app.Key, "work");
        var noise = new byte[GitPushServerFixture.MaxPushBytes * 2];
        Random.Shared.NextBytes(noise);
        Commit(work, [.. Web("large"), new ArchiveFile("noise.bin") { Bytes = noise }], "Too large");

        var push = Git(work, "push", "origin", "main");

        Assert.NotEqual(0, push.Code);
        Assert.Empty(await fixture.Api.ListBuildsAsync(app.Key));
        Assert.DoesNotContain("refs/heads/main", Git(work, "ls-remote", "origin").Out);
    }

    [Fact]
    public async Task DestroyingTheApp_RemovesItsRepository()
    {
        var app = await fixture.CreateAppAsync();
        var work = Clone(app.Key, "work");
        Commit(work, [new ArchiveFile("README.txt", "kept on a branch")], "Kept");
        Assert.Equal(0, Git(work, "push", "origin", "main:keep").Code);
        var id = (await fixture.Api.GetAppAsync(app.Key)).Id;
        var repository = Path.Combine(fixture.Server.DataDir, "repositories", id.ToString("N") + ".git");
        Assert.True(Directory.Exists(repository));

        await app.DestroyAsync();

        Assert.False(Directory.Exists(repository));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static List<ArchiveFile> Web(string content) =>
    [
        new ArchiveFile("Procfile", "web: python3 -m http.server --bind 127.0.0.1 $PORT\n"),
        new ArchiveFile("index.html", content + " " + SlipwayApi.Unique()),
    ];

    private string RemoteOf(string app) => $"{fixture.Server.BaseAddress.ToString().TrimEnd('/')}/git/{app}.git";

    /// <summary>Clones the app's (maybe empty) remote into a new folder with the admin's credentials; answers the folder.</summary>
    private string Clone(string app, string name)
    {
        var target = Path.Combine(_root, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        var clone = Git(_root, "clone", "--quiet", RemoteOf(app), target);
        Assert.True(clone.Code == 0, clone.Error);
        Git(target, "checkout", "--quiet", "-B", "main");
        return target;
    }

    private string Commit(string work, IEnumerable<ArchiveFile> files, string message)
    {
        foreach (var file in files)
        {
            File.WriteAllBytes(Path.Combine(work, file.Path), file.Data);
        }

        Git(work, "add", "--all");
        Git(work, "-c", "user.name=Jane Doe", "-c", "user.email=jane@example.com", "commit", "--quiet", "-m", message);
        return Git(work, "rev-parse", "HEAD").Out.Trim();
    }

    /// <summary>A HOME whose <c>.netrc</c> holds <paramref name="token"/> for the server's host (none when null), as <c>aka login</c> writes it.</summary>
    private string Netrc(string? token)
    {
        var home = Directory.CreateDirectory(Path.Combine(_root, "home-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        if (token is not null)
        {
            File.WriteAllText(Path.Combine(home, ".netrc"), $"machine {fixture.Server.BaseAddress.Host}\n  login someone@example.com\n  password {token}\n");
        }

        return home;
    }

    private (int Code, string Out, string Error) Git(string workingDirectory, params string[] args) =>
        GitAs(Netrc(SlipwayTestServer.AdminToken), workingDirectory, args);

    /// <summary>Runs the real git client with <paramref name="home"/> as HOME, never prompting.</summary>
    private static (int Code, string Out, string Error) GitAs(string home, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["HOME"] = home;
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_ASKPASS"] = "";
        start.Environment.Remove("http_proxy");
        start.Environment.Remove("HTTP_PROXY");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }
}

/// <summary>A runtime server whose pushes are small (<see cref="MaxPushBytes"/>), so the limit is quick to reach.</summary>
public class GitPushServerFixture : RuntimeServerFixture
{
    public const int MaxPushBytes = 256 * 1024;

    public GitPushServerFixture()
    {
    }

    protected GitPushServerFixture(PostgresServer postgres)
        : base(postgres)
    {
    }

    protected override IReadOnlyDictionary<string, string?> Settings =>
        base.Settings.With([new("Slipway:Git:MaxPushBytes", MaxPushBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
}

public sealed class PostgresGitPushServerFixture(PostgresServer postgres) : GitPushServerFixture(postgres);

public sealed class SqliteGitPushTests(GitPushServerFixture fixture) : GitPushTests(fixture), IClassFixture<GitPushServerFixture>;

public sealed class PostgresGitPushTests(PostgresGitPushServerFixture fixture) : GitPushTests(fixture), IClassFixture<PostgresGitPushServerFixture>;
