using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Slipway.Contracts;
using Slipway.Server.Tests.Releases;
using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Clients;

/// <summary>
/// The Akkeris CLI's contract for releases, builds and their output: each test sends the requests
/// that one <c>aka</c> command sends, in its order and with its headers, and checks every field the
/// command reads (see the notes on akkeris/cli 3.1.x). Builds run for real and the router serves
/// what a release runs.
/// </summary>
public sealed partial class AkkerisReleasesContractTests(GatedRuntimeServerFixture fixture, ArchiveServer archives)
    : IClassFixture<GatedRuntimeServerFixture>, IClassFixture<ArchiveServer>, IDisposable
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(3);

    private static readonly string[] BuildStatuses = ["queued", "pending", "building", "succeeded", "failed"];

    private readonly HttpClient _http = fixture.Server.Client();
    private readonly ReleaseGate _gate = new();

    /// <summary><see cref="TestSlug"/>'s web process and the gate's release phase.</summary>
    private Dictionary<string, string> Gated => _gate.ProcessTypes(TestSlug.Command());

    private AkkerisClient Aka => new(_http);

    /// <summary>
    /// <c>aka releases</c>: releases and builds in parallel, each release joined to the build whose id
    /// is its <c>slug.id</c>, unreleased builds added, and <c>GET /slugs/{id}</c> for a release whose
    /// build is not listed; every joined item must carry a <c>source_blob</c>.
    /// </summary>
    [Fact]
    public async Task Releases_EveryReleaseJoinsItsBuildOrSlug_AndUnreleasedBuildsShowApart()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.SettledAsync(await app.SetConfigAsync(new() { ["A"] = "1" }));
        var sha = "0123456789abcdef0123456789abcdef01234567";
        var built = await fixture.Api.StartBuildAsync(app.Key, new { url = Source("B"), sha, author = "Jane Doe (jdoe)", message = "Fix #12\n\nthe  body" });
        var v2 = await fixture.Api.WaitForReleaseAsync(app.Key, 2, BuildTimeout);
        await app.SettledAsync(await app.SetConfigAsync(new() { ["B"] = "1" }));
        var uploaded = await fixture.Api.UploadSlugAsync(app.Key, TestSlug.Build("C"), Gated, "fedcba9876543210fedcba9876543210fedcba98", "Uploaded by hand");
        await app.DeploySucceededAsync(uploaded.Id);
        var failed = await fixture.Api.WaitForBuildAsync(await fixture.Api.StartBuildAsync(app.Key, Source("nothing", procfile: false)), BuildTimeout);
        Assert.Equal("failed", failed.Build.Status);

        var releases = (await Aka.GetAsync($"/apps/{app.Key}/releases")).AsArray();
        var builds = (await Aka.GetAsync($"/apps/{app.Key}/builds")).AsArray();

        Assert.Equal([1, 2, 3, 4], releases.Select(r => r!["version"]!.GetValue<int>()));
        Assert.All(releases, r =>
        {
            Assert.Equal(JsonValueKind.Number, r!["version"]!.GetValueKind());
            Assert.Equal(JsonValueKind.Object, r["slug"]!.GetValueKind());
            Assert.True(r["slug"]!.AsObject().ContainsKey("id"));
            Assert.IsType<bool>(r["current"]!.GetValue<bool>());
            Assert.Contains((string)r["status"]!, (string[])["succeeded", "pending", "failed"]);
            Assert.Equal("success", (string?)r["state"]);
            DateTimeOffset.Parse((string)r["created_at"]!, CultureInfo.InvariantCulture);
        });
        Assert.All(builds, b => Assert.Equal(JsonValueKind.Object, b!["source_blob"]!.GetValueKind()));
        Assert.Equal([built.Id.ToString(), failed.Build.Id.ToString()], builds.Select(b => (string)b!["id"]!));
        Assert.Null((string?)releases[0]!["slug"]!["id"]);
        Assert.Equal(built.Id.ToString(), (string?)releases[1]!["slug"]!["id"]);
        Assert.Equal(built.Id.ToString(), (string?)releases[2]!["slug"]!["id"]);
        Assert.Equal(v2.Id.ToString(), (string?)releases[1]!["id"]);

        var lines = await ListLinesAsync(releases, builds);

        Assert.Equal(
            [
                [],
                [$"Deploy {Short(built.Id)}", "Jane Doe (jdoe)", "Fix 12 the body", "0123456"],
                ["Set B config vars", "Jane Doe (jdoe)", "Fix 12 the body", "0123456"],
                ["current", $"Deploy {Short(uploaded.Id)}", "Uploaded by hand", "fedcba9"],
                ["failed", failed.Build.Id.ToString()],
            ],
            lines);
    }

    /// <summary><c>aka releases:create URL</c> with auto-release on (the default): the features, then one build, which releases itself.</summary>
    [Fact]
    public async Task ReleasesCreate_WithAutoReleaseOn_BuildsAndTheBuildReleasesItself()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("OLD", Gated));

        var features = (await Aka.GetAsync($"/apps/{app.Key}/features")).AsArray();
        Assert.Single(features, f => (string?)f!["name"] == "auto-release" && f["enabled"]!.GetValue<bool>());
        var build = await Aka.PostAsync($"/apps/{app.Key}/builds", new { checksum = "", url = Source("NEW"), repo = "", sha = "", branch = "" });

        var buildId = (string)build["id"]!;
        var release = await Poll.UntilAsync(
            async () => (await fixture.Api.ListReleasesAsync(app.Key)).FirstOrDefault(r => r.Slug.Id?.ToString() == buildId && r.Status != "pending"),
            r => r is not null,
            _ => $"Build {buildId} made no release.",
            BuildTimeout);
        Assert.Equal(("succeeded", 2, $"Deploy {buildId[..8]}"), (release!.Status, release.Version, release.Description));
        Assert.Equal(2, (await fixture.Api.ListReleasesAsync(app.Key)).Count);
        await app.ServesAsync("v2 slug=NEW");

        using var again = await Aka.SendAsync(HttpMethod.Post, $"/apps/{app.Key}/releases", new { slug = buildId });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(release.Id.ToString(), (string?)JsonNode.Parse(await again.Content.ReadAsStringAsync())!["id"]);
        Assert.Equal(2, (await fixture.Api.ListReleasesAsync(app.Key)).Count);
    }

    /// <summary>
    /// <c>aka features:disable auto-release</c>, then <c>aka releases:create URL -v 1.2</c>: the build,
    /// polled until it succeeded (it stops there), then the release posted for it; one new release, serving the new code.
    /// </summary>
    [Fact]
    public async Task ReleasesCreate_WithAutoReleaseOff_PollsTheBuildThenPostsItsRelease()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("OLD", Gated));
        var disabled = await Aka.PatchAsync($"/apps/{app.Key}/features/auto-release", new { enabled = false });
        Assert.Equal(("Auto release builds", false), ((string?)disabled["display_name"], disabled["enabled"]!.GetValue<bool>()));
        var info = await Aka.GetAsync($"/apps/{app.Key}/features/auto-release");
        Assert.False(string.IsNullOrEmpty((string?)info["description"]));

        var features = (await Aka.GetAsync($"/apps/{app.Key}/features")).AsArray();
        Assert.DoesNotContain(features, f => (string?)f!["name"] == "auto-release" && f["enabled"]!.GetValue<bool>());
        var build = await Aka.PostAsync($"/apps/{app.Key}/builds", new { checksum = "", url = Source("NEW"), repo = "", sha = "", branch = "", version = "1.2" });
        var buildId = (string)build["id"]!;
        var result = await Poll.UntilAsync(
            async () =>
            {
                var polled = await Aka.GetAsync($"/apps/{app.Key}/builds/{buildId}");
                Assert.Contains((string)polled["status"]!, BuildStatuses);
                return polled;
            },
            b => (string?)b["status"] is "succeeded" or "failed",
            _ => $"Build {buildId} did not end.",
            BuildTimeout);
        Assert.Equal("succeeded", (string?)result["status"]);
        Assert.Null(result["release"]);
        Assert.Single(await fixture.Api.ListReleasesAsync(app.Key));

        using var posted = await Aka.SendAsync(HttpMethod.Post, $"/apps/{app.Key}/releases", new { version = "1.2", slug = (string)result["id"]! });

        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var releases = await fixture.Api.ListReleasesAsync(app.Key);
        Assert.Equal(2, releases.Count);
        Assert.Equal((buildId, $"Deploy {buildId[..8]}"), (releases[1].Slug.Id.ToString(), releases[1].Description));
        Assert.Equal("succeeded", (await app.SettledAsync(2)).Status);
        await app.ServesAsync("v2 slug=NEW");
        Assert.Equal(2, (await fixture.Api.GetBuildAsync(app.Key, buildId)).Release?.Version);
    }

    /// <summary><c>aka rollback</c> takes the second-to-last release of the list, <c>aka rollback v3</c> the one whose version is 3.</summary>
    [Fact]
    public async Task Rollback_WithoutVersionThenToAVersion_PostsTheReleaseFoundInTheList()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", Gated));
        await app.SettledAsync(await app.SetConfigAsync(new() { ["GREETING"] = "hi" }));
        await app.DeploySucceededAsync(await app.UploadSlugAsync("B", Gated));

        var previous = (await Aka.GetAsync($"/apps/{app.Key}/releases")).AsArray()[^2]!;
        Assert.Equal(2, previous["version"]!.GetValue<int>());
        await Aka.PostAsync($"/apps/{app.Key}/releases", new { release = (string)previous["id"]!, description = (string)previous["description"]! });
        await app.ServesAsync("v4 slug=A greeting=hi dyno");

        var v3 = Assert.Single((await Aka.GetAsync($"/apps/{app.Key}/releases")).AsArray(), r => r!["version"]!.GetValue<int>() == 3)!;
        await Aka.PostAsync($"/apps/{app.Key}/releases", new { release = (string)v3["id"]!, description = (string)v3["description"]! });
        await app.ServesAsync("v5 slug=B greeting=hi dyno");
        Assert.Equal(["Rollback to v2", "Rollback to v3"], (await fixture.Api.ListReleasesAsync(app.Key)).Skip(3).Select(r => r.Description));
    }

    /// <summary>The issue's case: <c>config:set X=1</c> makes v5, and <c>rollback v4</c> at once, while v5 is still pending, is accepted and undoes it.</summary>
    [Fact]
    public async Task ConfigSet_ThenRollbackToTheServingReleaseAtOnce_IsAcceptedWhileTheNewOneIsPending()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", Gated));
        await app.SettledAsync(await app.SetConfigAsync(new() { ["GREETING"] = "one" }));
        await app.DeploySucceededAsync(await app.UploadSlugAsync("B", Gated));
        await app.SettledAsync(await app.SetConfigAsync(new() { ["GREETING"] = "two" }));
        _gate.Close();

        var config = await Aka.PatchAsync($"/apps/{app.Key}/config-vars", new Dictionary<string, string> { ["X"] = "1" });
        Assert.Equal("1", (string?)config["X"]);
        var v4 = Assert.Single((await Aka.GetAsync($"/apps/{app.Key}/releases")).AsArray(), r => r!["version"]!.GetValue<int>() == 4)!;
        var rollback = await Aka.PostAsync($"/apps/{app.Key}/releases", new { release = (string)v4["id"]!, description = (string)v4["description"]! });

        Assert.Equal(6, rollback["version"]!.GetValue<int>());
        Assert.Equal("pending", (await app.ReleaseAsync(5)).Status);
        _gate.Open();
        Assert.Equal("succeeded", (await app.SettledAsync(6)).Status);
        await app.ServesAsync("v6 slug=B greeting=two dyno");
        Assert.Equal(new Dictionary<string, string> { ["GREETING"] = "two" }, await fixture.Api.GetConfigAsync(app.Key));
    }

    /// <summary><c>aka releases:info</c>: the last release of the list, then its statuses, read as <c>.statuses</c>.</summary>
    [Fact]
    public async Task ReleasesInfo_ReadsTheLastReleaseAndItsStatuses()
    {
        await using var app = await fixture.CreateAppAsync();
        await app.DeploySucceededAsync(await app.UploadSlugAsync("A", Gated));

        var latest = (await Aka.GetAsync($"/apps/{app.Key}/releases")).AsArray()[^1]!;
        var none = await Aka.GetAsync($"/apps/{app.Key}/releases/{(string)latest["id"]!}/statuses");
        await Aka.PostAsync($"/apps/{app.Key}/releases/{(string)latest["id"]!}/statuses", new { state = "pending", context = "ci/circleci", name = "CircleCI", description = "Tests running", target_url = "https://ci.example.com/1" });
        var some = await Aka.GetAsync($"/apps/{app.Key}/releases/{(string)latest["id"]!}/statuses");
        var listed = (await Aka.GetAsync($"/apps/{app.Key}/releases")).AsArray()[^1]!;

        Assert.Empty(none["statuses"]!.AsArray());
        var status = Assert.Single(some["statuses"]!.AsArray())!;
        Assert.Equal(
            ("pending", "ci/circleci", "CircleCI", "Tests running", "https://ci.example.com/1"),
            ((string?)status["state"], (string?)status["context"], (string?)status["name"], (string?)status["description"], (string?)status["target_url"]));
        Assert.Equal("pending", (string?)some["state"]);
        Assert.Equal(("succeeded", "pending"), ((string?)listed["status"], (string?)listed["state"]));
    }

    /// <summary>
    /// <c>aka builds</c>, <c>aka builds:info</c> (the last of the list) and <c>aka builds:output --tail</c>:
    /// the build's <c>output_stream_url</c> fetched with the CLI's headers answers <c>{"lines": [...]}</c>,
    /// polled until a line reads <c>Finished: SUCCESS</c> (or <c>FAILURE</c>).
    /// </summary>
    [Fact]
    public async Task Builds_ListInfoAndOutput_AsTheCliReadsThem()
    {
        await using var app = await fixture.CreateAppAsync();
        await Aka.PostAsync($"/apps/{app.Key}/builds", new { org = "default", checksum = "", url = Source("A"), repo = "https://github.com/jdoe/app", sha = "abcdef0123456789", branch = "main", version = "v1.0" });

        var last = (await Aka.GetAsync($"/apps/{app.Key}/builds")).AsArray()[^1]!;
        var sourceBlob = last["source_blob"]!.AsObject();
        Assert.Equal(("abcdef0123456789", "v1.0"), ((string?)sourceBlob["commit"], (string?)sourceBlob["version"]));
        Assert.True(sourceBlob.ContainsKey("author") && sourceBlob.ContainsKey("message"));
        Assert.Contains((string)last["status"]!, BuildStatuses);
        var info = await Aka.GetAsync($"/apps/{app.Key}/builds/{(string)last["id"]!}");
        var printed = await TailOutputAsync((string)info["output_stream_url"]!);

        Assert.Contains("-----> Build succeeded", printed);
        Assert.Equal("Finished: SUCCESS", printed[^1]);
        Assert.Equal(printed.Count, printed.Distinct().Count());

        var failed = await Aka.PostAsync($"/apps/{app.Key}/builds", new { checksum = "", url = Source("x", procfile: false), repo = "", sha = "", branch = "" });
        var failedInfo = await Aka.GetAsync($"/apps/{app.Key}/builds/{(string)failed["id"]!}");
        Assert.Equal("Finished: FAILURE", (await TailOutputAsync((string)failedInfo["output_stream_url"]!))[^1]);
    }

    /// <summary>An unknown route and a wrong method answer JSON with <c>message</c>, which the CLI prints (<c>☠ Error 404, message</c>).</summary>
    [Theory]
    [InlineData("GET", "/nope", 404, "not_found")]
    [InlineData("GET", "/apps/{app}/nope", 404, "not_found")]
    [InlineData("DELETE", "/apps/{app}/releases", 405, "method_not_allowed")]
    [InlineData("POST", "/apps/{app}/features", 405, "method_not_allowed")]
    [InlineData("GET", "/apps/{app}/features/no-such-feature", 404, "not_found")]
    [InlineData("GET", "/apps/no-such-app/releases", 404, "not_found")]
    public async Task Errors_AreJsonWithIdAndMessage(string method, string path, int status, string id)
    {
        var app = await fixture.Api.CreateAppAsync();

        using var response = await Aka.SendAsync(new HttpMethod(method), path.Replace("{app}", app.Name, StringComparison.Ordinal));

        Assert.Equal(status, (int)response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(id, (string?)body["id"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)body["message"]));
        Assert.Equal((string?)body["detail"], (string?)body["message"]);
    }

    /// <summary>
    /// The list without <c>Range</c> is bounded (200, Heroku's page) and ascending, and its last
    /// element is the current release however many there are: the CLI's <c>latest</c> and <c>previous</c> read it so.
    /// </summary>
    [Fact]
    public async Task Releases_WithoutRange_EndWithTheCurrentRelease_HoweverManyThereAre()
    {
        await using var app = await fixture.CreateAppAsync();
        const int ConfigReleases = 205;
        for (var i = 1; i <= ConfigReleases; i++)
        {
            await app.SetConfigAsync(new() { ["N"] = i.ToString(CultureInfo.InvariantCulture) });
        }

        var failing = await app.DeployAsync(await app.UploadSlugAsync("F", new() { ["web"] = TestSlug.Command("exit") }));
        Assert.Equal("failed", (await app.SettledAsync(failing.Version)).Status);

        using var response = await Aka.SendAsync(HttpMethod.Get, $"/apps/{app.Key}/releases");
        var page = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(200, page.Count);
        Assert.Equal(Enumerable.Range(ConfigReleases - 199, 200), page.Select(r => r!["version"]!.GetValue<int>()));
        Assert.True(page[^1]!["current"]!.GetValue<bool>());
        Assert.Equal($"version ..{ConfigReleases - 200}; max=200, order=desc", response.Headers.GetValues("Next-Range").Single());
    }

    public void Dispose()
    {
        _http.Dispose();
        _gate.Dispose();
    }

    /// <summary>
    /// <c>aka releases</c>'s join (plugins/releases list) and the parts of the line it prints for each
    /// item (format_release): a release with its build, an unreleased build, or nothing (an empty line).
    /// </summary>
    private async Task<List<string[]>> ListLinesAsync(JsonArray releases, JsonArray builds)
    {
        var items = releases.Select(r => (Item: r!, Build: builds.FirstOrDefault(b => (string?)b!["id"] == (string?)r!["slug"]!["id"])))
            .Concat(builds.Where(b => !releases.Any(r => (string?)r!["slug"]!["id"] == (string?)b!["id"])).Select(b => (Item: b!, Build: (JsonNode?)null)))
            .OrderBy(i => DateTimeOffset.Parse((string)i.Item["created_at"]!, CultureInfo.InvariantCulture))
            .ToList();
        var lines = new List<string[]>();
        foreach (var (item, listed) in items)
        {
            var build = listed;
            if (build is null && item["slug"]?["id"] is { } slugId && (string?)slugId is { } id)
            {
                build = await Aka.GetAsync($"/slugs/{id}");
            }

            lines.Add(LineParts(item, build));
        }

        return lines;
    }

    private static string[] LineParts(JsonNode item, JsonNode? build)
    {
        string?[] parts;
        if (build is not null)
        {
            var source = build["source_blob"]!.AsObject();
            parts = [item["current"]!.GetValue<bool>() ? "current" : "", (string?)item["description"], (string?)source["author"], Message(source), Commit(source)];
        }
        else if (item["source_blob"] is JsonObject source)
        {
            var status = (string?)item["status"];
            parts = [status == "pending" ? "pending" : status, (string?)item["id"], (string?)source["author"], Message(source), Commit(source)];
        }
        else
        {
            return [];
        }

        return [.. parts.Where(p => !string.IsNullOrEmpty(p)).Select(p => p!.Replace('\n', ' '))];
    }

    private static string? Message(JsonObject source) =>
        (string?)source["message"] is { Length: > 0 } message ? Whitespace().Replace(message.Replace("#", "", StringComparison.Ordinal), " ") : null;

    private static string? Commit(JsonObject source) => (string?)source["commit"] is { Length: > 0 } commit ? commit[..Math.Min(7, commit.Length)] : null;

    /// <summary>
    /// <c>aka builds:output --tail</c>: the output URL fetched with the CLI's headers (and token), each
    /// line printed the first time it is seen, until one is <c>Finished: SUCCESS</c> or <c>FAILURE</c>.
    /// </summary>
    private async Task<List<string>> TailOutputAsync(string url)
    {
        var printed = new List<string>();
        await Poll.UntilAsync(
            async () =>
            {
                var answer = await Aka.GetAsync(url);
                foreach (var line in answer["lines"]!.AsArray().Select(l => l!.GetValue<string>()))
                {
                    if (!printed.Contains(line))
                    {
                        printed.Add(line);
                    }
                }

                return printed.Count > 0 && printed[^1] is "Finished: SUCCESS" or "Finished: FAILURE";
            },
            $"the output at {url} to end with a Finished: line",
            BuildTimeout);
        return printed;
    }

    /// <summary>
    /// A source archive whose Procfile runs <see cref="TestSlug"/>'s program, serving <paramref name="mark"/>
    /// (named so that only the Procfile buildpack detects it); without a Procfile no buildpack does, and the build fails.
    /// </summary>
    private string Source(string mark, bool procfile = true) => archives.Serve(Archives.TarGz(
    [
        new ArchiveFile("server.program", TestSlug.Program),
        new ArchiveFile("MARK", mark),
        .. procfile ? [new ArchiveFile("Procfile", $"web: {TestSlug.Python} server.program serve\n")] : Array.Empty<ArchiveFile>(),
    ]));

    private static string Short(Guid id) => id.ToString("N")[..8];

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
