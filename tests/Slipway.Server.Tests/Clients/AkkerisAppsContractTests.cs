using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Slipway.TestSupport;

namespace Slipway.Server.Tests.Clients;

/// <summary>A server behind an https front end (<c>Slipway:PublicUrl</c>), as the Akkeris CLI's logs need.</summary>
public sealed class PublicUrlServerFixture : SlipwayServerFixture
{
    public const string PublicUrl = "https://slipway.example.test";

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Slipway:PublicUrl"] = PublicUrl };

    /// <summary>A URL the server handed out under <see cref="PublicUrl"/>, as the front end forwards it to this server.</summary>
    public Uri Local(string url)
    {
        Assert.StartsWith(PublicUrl + "/", url);
        return new Uri(Server.BaseAddress, new Uri(url).PathAndQuery);
    }
}

/// <summary>
/// The requests the Akkeris CLI (3.1.x) sends for apps, apps:create, apps:info, apps:destroy, config, ps,
/// ps:scale, logs, addons, spaces, orgs and repo, sent as it sends them (<see cref="AkkerisCli"/>), and
/// every field it reads from the answers (<c>/work/notes-akkeris-cli.md</c> lists them per command).
/// </summary>
public sealed class AkkerisAppsContractTests(PublicUrlServerFixture fixture) : IClassFixture<PublicUrlServerFixture>
{
    private readonly SlipwayApi _api = fixture.Api;
    private readonly HttpClient _aka = fixture.Api.Http;

    [Fact]
    public async Task Apps_ListsEveryAppWithTheFieldsAkaAppsPrintsAndFilters()
    {
        var app = await _api.CreateAppAsync();

        var apps = (await _aka.AkkerisAsync(HttpMethod.Get, "/apps"))!.Value;

        Assert.Equal(JsonValueKind.Array, apps.ValueKind);
        var listed = apps.EnumerateArray().Single(a => a.GetProperty("name").GetString() == app.Name);
        Assert.False(listed.GetProperty("preview").GetBoolean());
        Assert.Equal(app.WebUrl, listed.GetProperty("web_url").GetString());
        Assert.Equal($"{PublicUrlServerFixture.PublicUrl}/git/{app.Name}.git", listed.GetProperty("git_url").GetString());
        Assert.Equal(app.Space.Name, listed.GetProperty("space").GetProperty("name").GetString());
        Assert.Equal(app.Space.Id.ToString(), listed.GetProperty("space").GetProperty("id").GetString());
        Assert.Equal("default", listed.GetProperty("organization").GetProperty("name").GetString());
    }

    [Fact]
    public async Task AppsCreate_PostsTheAppThenAFavorite_AndEchoesWhatItWasGiven()
    {
        var space = await _api.CreateSpaceAsync();
        var name = SlipwayApi.Unique("app");

        var spaces = (await _aka.AkkerisAsync(HttpMethod.Get, "/spaces"))!.Value;
        var organizations = (await _aka.AkkerisAsync(HttpMethod.Get, "/organizations"))!.Value;
        var created = (await _aka.AkkerisAsync(HttpMethod.Post, "/apps", new { space = space.Name, name, org = "default", description = "The shop front" }))!.Value;
        var favorite = await _aka.AkkerisAsync(HttpMethod.Post, "/favorites", new { app = $"{name}-{space.Name}" });
        var favorites = (await _aka.AkkerisAsync(HttpMethod.Get, "/favorites"))!.Value;

        Assert.Contains(space.Name, spaces.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(["default"], organizations.EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        Assert.Equal($"{name}-{space.Name}", created.GetProperty("name").GetString());
        Assert.Equal(name, created.GetProperty("simple_name").GetString());
        Assert.Equal(space.Name, created.GetProperty("space").GetProperty("name").GetString());
        Assert.Equal("default", created.GetProperty("organization").GetProperty("name").GetString());
        Assert.Equal("The shop front", created.GetProperty("description").GetString());
        Assert.StartsWith($"http://{name}-{space.Name}.localhost:", created.GetProperty("web_url").GetString());
        Assert.Equal($"{name}-{space.Name}", favorite!.Value.GetProperty("name").GetString());
        var listed = Assert.Single(favorites.EnumerateArray());
        Assert.Equal($"{name}-{space.Name}", listed.GetProperty("name").GetString());
        Assert.Equal(created.GetProperty("web_url").GetString(), listed.GetProperty("web_url").GetString());
    }

    [Fact]
    public async Task Favorites_AddTwiceRemoveAndUnknown_AnswerAsAkkerisExpects()
    {
        var app = await _api.CreateAppAsync();
        await _aka.AkkerisAsync(HttpMethod.Post, "/favorites", new { app = app.Name });

        await _aka.AkkerisAsync(HttpMethod.Post, "/favorites", new { app = app.Name });
        var removed = await _aka.AkkerisAsync(HttpMethod.Delete, $"/favorites/{app.Name}");
        var again = await _aka.AkkerisErrorAsync(HttpMethod.Delete, $"/favorites/{app.Name}");
        var unknown = await _aka.AkkerisErrorAsync(HttpMethod.Post, "/favorites", new { app = "nosuch-app" });
        var missing = await _aka.AkkerisErrorAsync(HttpMethod.Post, "/favorites", new { });

        Assert.Equal(app.Name, removed!.Value.GetProperty("name").GetString());
        Assert.DoesNotContain(app.Name, (await _aka.AkkerisAsync(HttpMethod.Get, "/favorites"))!.Value.EnumerateArray().Select(a => a.GetProperty("name").GetString()));
        Assert.Equal((404, $"{app.Name} is not one of your favorites."), again);
        Assert.Equal((404, "App 'nosuch-app' not found."), unknown);
        Assert.Equal(422, missing.Status);
    }

    [Fact]
    public async Task AppsCreate_UnknownOrganizationOrLongDescription_IsRefusedAndMakesNoApp()
    {
        var space = await _api.CreateSpaceAsync();
        var name = SlipwayApi.Unique("app");

        var organization = await _aka.AkkerisErrorAsync(HttpMethod.Post, "/apps", new { space = space.Name, name, org = "acme" });
        var description = await _aka.AkkerisErrorAsync(HttpMethod.Post, "/apps", new { space = space.Name, name, org = "default", description = new string('x', 1025) });

        Assert.Equal((404, "Organization 'acme' not found: this server has one organization, 'default' (GET /organizations)."), organization);
        Assert.Equal((422, "description is 1025 characters; at most 1024 are allowed."), description);
        Assert.Equal(HttpStatusCode.NotFound, (await _aka.SendAsAkkerisAsync(HttpMethod.Get, $"/apps/{name}-{space.Name}")).StatusCode);
    }

    [Fact]
    public async Task AppsInfo_HasEveryFieldAkaAppsInfoPrints()
    {
        var app = await _api.CreateAppAsync();
        var (_, release) = await _api.DeploySlugAsync(app.Name);

        var info = (await _aka.AkkerisAsync(HttpMethod.Get, $"/apps/{app.Name}"))!.Value;
        using var pipeline = await _aka.SendAsAkkerisAsync(HttpMethod.Get, $"/apps/{app.Name}/pipeline-couplings");

        Assert.Equal(app.Name, info.GetProperty("name").GetString());
        Assert.False(info.GetProperty("preview").GetBoolean());
        Assert.Equal(app.Id.ToString(), info.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, info.GetProperty("description").ValueKind);
        Assert.Equal("default", info.GetProperty("organization").GetProperty("name").GetString());
        Assert.Equal("local", info.GetProperty("region").GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, info.GetProperty("image").ValueKind);
        Assert.Equal($"{PublicUrlServerFixture.PublicUrl}/git/{app.Name}.git", info.GetProperty("git_url").GetString());
        Assert.Equal(JsonValueKind.Null, info.GetProperty("git_branch").ValueKind);
        Assert.Equal(app.SimpleName, info.GetProperty("simple_name").GetString());
        Assert.Equal(release.CreatedAt, info.GetProperty("released_at").GetDateTimeOffset());
        Assert.Equal(app.WebUrl, info.GetProperty("web_url").GetString());
        Assert.Equal(HttpStatusCode.NotFound, pipeline.StatusCode);
    }

    [Fact]
    public async Task AppsDestroy_WithoutConfirm_DestroysForWhoMaySeeTheApp()
    {
        var app = await _api.CreateAppAsync();
        using var outsider = fixture.Server.Client(await _api.CreateUserAsync(SlipwayApi.Unique("out") + "@example.com"));

        var name = (await _aka.AkkerisAsync(HttpMethod.Get, $"/apps/{app.Name}"))!.Value.GetProperty("name").GetString();
        var wrong = await _aka.AkkerisErrorAsync(HttpMethod.Delete, $"/apps/{app.Name}?confirm=other-app");
        var notTheirs = await outsider.AkkerisErrorAsync(HttpMethod.Delete, $"/apps/{app.Name}");
        var stillThere = await _aka.SendAsAkkerisAsync(HttpMethod.Get, $"/apps/{app.Name}");
        var destroyed = await _aka.AkkerisAsync(HttpMethod.Delete, $"/apps/{app.Name}");

        Assert.Equal(app.Name, name);
        Assert.Equal((422, $"The confirmation 'other-app' does not match the app {app.Name}; nothing was destroyed."), wrong);
        Assert.Equal((404, $"App '{app.Name}' not found."), notTheirs);
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        Assert.Equal(app.Name, destroyed!.Value.GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _aka.SendAsAkkerisAsync(HttpMethod.Get, $"/apps/{app.Name}")).StatusCode);
    }

    [Fact]
    public async Task AppsDestroy_AFavorite_TakesTheFavoriteWithIt()
    {
        var app = await _api.CreateAppAsync();
        await _aka.AkkerisAsync(HttpMethod.Post, "/favorites", new { app = app.Name });

        await _aka.AkkerisAsync(HttpMethod.Delete, $"/apps/{app.Name}");

        Assert.DoesNotContain(app.Name, (await _aka.AkkerisAsync(HttpMethod.Get, "/favorites"))!.Value.EnumerateArray().Select(a => a.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Config_GetSetAndUnset_AnswerTheWholeMapOfStrings()
    {
        var app = (await _api.CreateAppAsync()).Name;

        var set = (await _aka.AkkerisAsync(HttpMethod.Patch, $"/apps/{app}/config-vars", new { GREETING = "hello", MULTI = "a\nb" }))!.Value;
        var shown = (await _aka.AkkerisAsync(HttpMethod.Get, $"/apps/{app}/config-vars"))!.Value;
        var unset = (await _aka.AkkerisAsync(HttpMethod.Patch, $"/apps/{app}/config-vars", "{\"MULTI\": null}"))!.Value;

        Assert.Equal("{\"GREETING\":\"hello\",\"MULTI\":\"a\\nb\"}", set.GetRawText().Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(set.GetRawText(), shown.GetRawText());
        Assert.Equal(["GREETING"], unset.EnumerateObject().Select(p => p.Name));
        Assert.All(shown.EnumerateObject(), p => Assert.Equal(JsonValueKind.String, p.Value.ValueKind));
    }

    [Fact]
    public async Task Ps_FormationAndDynos_HaveEveryFieldAkaPsReads()
    {
        var app = (await _api.CreateAppAsync()).Name;
        var (_, release) = await _api.DeploySlugAsync(app);
        await _api.WaitForDynosAsync(app, d => d.Count == 1 && d[0].State == "up");

        var formation = Assert.Single((await _aka.AkkerisAsync(HttpMethod.Get, $"/apps/{app}/formation"))!.Value.EnumerateArray());
        var dyno = Assert.Single((await _aka.AkkerisAsync(HttpMethod.Get, $"/apps/{app}/dynos"))!.Value.EnumerateArray());

        Assert.Equal("web", formation.GetProperty("type").GetString());
        Assert.Equal("standard", formation.GetProperty("size").GetString());
        Assert.Equal(SlipwayApi.StaticWeb, formation.GetProperty("command").GetString());
        Assert.Equal(1, formation.GetProperty("quantity").GetInt32());
        Assert.Equal(JsonValueKind.Null, formation.GetProperty("healthcheck").ValueKind);
        Assert.Equal("web", dyno.GetProperty("type").GetString());
        Assert.Equal("web.1", dyno.GetProperty("name").GetString());
        Assert.Equal("up", dyno.GetProperty("state").GetString());
        Assert.Equal(0, dyno.GetProperty("restarts").GetInt32());
        Assert.Equal("standard", dyno.GetProperty("size").GetString());
        Assert.Equal(SlipwayApi.StaticWeb, dyno.GetProperty("command").GetString());
        Assert.Equal(release.Id.ToString(), dyno.GetProperty("release").GetProperty("id").GetString());
        Assert.Equal(release.Version, dyno.GetProperty("release").GetProperty("version").GetInt32());
        Assert.True(dyno.GetProperty("updated_at").GetDateTimeOffset() >= dyno.GetProperty("created_at").GetDateTimeOffset());
        Assert.True(dyno.GetProperty("created_at").GetDateTimeOffset() >= release.CreatedAt);
    }

    [Fact]
    public async Task PsScale_BareArrayOfUpdates_Scales_AndAnUnknownSizeChangesNothing()
    {
        var app = (await _api.CreateAppAsync()).Name;
        await _api.DeploySlugAsync(app);

        var scaled = await _aka.AkkerisAsync(HttpMethod.Patch, $"/apps/{app}/formation", new[] { new { type = "web", quantity = 2 } });
        var sized = await _aka.AkkerisErrorAsync(HttpMethod.Patch, $"/apps/{app}/formation", new[] { new { type = "web", quantity = 3, size = "gp2" } });

        Assert.Equal(2, Assert.Single(scaled!.Value.EnumerateArray()).GetProperty("quantity").GetInt32());
        Assert.Equal((422, "Slipway runs every process at one size, 'standard': there is no size 'gp2'."), sized);
        Assert.Equal(2, Assert.Single(await _api.GetFormationAsync(app)).Quantity);
        await _api.WaitForDynosAsync(app, d => d.Count(x => x.State == "up") == 2);
    }

    [Fact]
    public async Task Logs_SessionUrlIsHttpsUnderThePublicUrl_AndWorksWithoutAnyHeader()
    {
        var app = (await _api.CreateAppAsync()).Name;
        await _api.DeploySlugAsync(app);
        await Poll.UntilAsync(async () => (await _api.LogsAsync(app)).Contains("slipway[web.1]: State changed from starting to up", StringComparison.Ordinal), "web.1 is up in the log");

        var session = (await _aka.AkkerisAsync(HttpMethod.Post, $"/apps/{app}/log-sessions", new { lines = 3, tail = false }))!.Value;
        var url = session.GetProperty("logplex_url").GetString()!;
        using var bare = new HttpClient();
        using var response = await bare.GetAsync(fixture.Local(url));

        Assert.StartsWith($"{PublicUrlServerFixture.PublicUrl}/apps/{app}/log-sessions/", url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 [a-z]+\[[a-z0-9.]+\]: ", l));
    }

    [Fact]
    public async Task Logs_TailedSession_FollowsNewLinesAsServerSentEventsWhenAsked()
    {
        var app = (await _api.CreateAppAsync()).Name;
        await _api.DeploySlugAsync(app);
        var session = (await _aka.AkkerisAsync(HttpMethod.Post, $"/apps/{app}/log-sessions", new { lines = 0, tail = true }))!.Value;
        using var bare = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, fixture.Local(session.GetProperty("logplex_url").GetString()!));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var timeout = new CancellationTokenSource(SlipwayApi.SettleTimeout);
        using var response = await bare.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        await _api.Http.DeleteAsync($"/apps/{app}/dynos");
        string? line;
        do
        {
            line = await reader.ReadLineAsync(timeout.Token);
        }
        while (line is not null && !line.Contains("slipway[web.1]: Starting process", StringComparison.Ordinal));

        Assert.True(session.GetProperty("tail").GetBoolean());
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(line);
        Assert.Matches(@"^data: \d{4}-\d\d-\d\dT[0-9:.]+\+00:00 slipway\[web\.1\]: Starting process", line);
    }

    [Fact]
    public async Task Logs_ExpiredOrChangedSession_IsRefusedWithAMessage()
    {
        var app = (await _api.CreateAppAsync()).Name;
        var url = (await _aka.AkkerisAsync(HttpMethod.Post, $"/apps/{app}/log-sessions", new { lines = 1, tail = false }))!.Value.GetProperty("logplex_url").GetString()!;
        using var bare = new HttpClient();

        using var changed = await bare.GetAsync(fixture.Local(url[..^2] + (url.EndsWith("AA", StringComparison.Ordinal) ? "BB" : "AA")));
        using var otherApp = await bare.GetAsync(fixture.Local(url.Replace($"/apps/{app}/", $"/apps/{(await _api.CreateAppAsync()).Name}/", StringComparison.Ordinal)));
        fixture.Clock.Advance(TimeSpan.FromMinutes(16));
        using var expired = await bare.GetAsync(fixture.Local(url));

        Assert.Equal(HttpStatusCode.Forbidden, changed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherApp.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Equal($"This log session has expired or is not valid; start a new one (POST /apps/{app}/log-sessions).", JsonDocument.Parse(await expired.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Addons_OwnedAndAttached_HaveEveryFieldAkaAddonsReads()
    {
        var app = await _api.CreateAppAsync();
        var addon = await _api.CreateAddonAsync(app.Name, "filestore", "files");

        var owned = Assert.Single((await _aka.AkkerisAsync(HttpMethod.Get, $"/apps/{app.Name}/addons"))!.Value.EnumerateArray());
        var attached = Assert.Single((await _aka.AkkerisAsync(HttpMethod.Get, $"/apps/{app.Name}/addon-attachments"))!.Value.EnumerateArray());
        var everywhere = (await _aka.AkkerisAsync(HttpMethod.Get, "/addon-attachments"))!.Value;
        var allAddons = (await _aka.AkkerisAsync(HttpMethod.Get, "/addons"))!.Value;
        var byName = (await _aka.AkkerisAsync(HttpMethod.Get, $"/apps/{app.Name}/addon-attachments/files"))!.Value;
        var byId = (await _aka.AkkerisAsync(HttpMethod.Get, $"/apps/{app.Name}/addon-attachments/{attached.GetProperty("id").GetString()}"))!.Value;
        var unknown = await _aka.AkkerisErrorAsync(HttpMethod.Get, $"/apps/{app.Name}/addon-attachments/nosuch");
        await _api.DeleteAddonAsync(app.Name, "files");

        Assert.Equal(addon.Id.ToString(), owned.GetProperty("id").GetString());
        Assert.Equal("files", owned.GetProperty("name").GetString());
        Assert.Equal("filestore:standard", owned.GetProperty("plan").GetProperty("name").GetString());
        Assert.Equal("filestore", owned.GetProperty("addon_service").GetProperty("name").GetString());
        Assert.Equal(app.Name, owned.GetProperty("app").GetProperty("name").GetString());
        Assert.True(owned.GetProperty("primary").GetBoolean());
        Assert.Equal("provisioned", owned.GetProperty("state").GetString());
        Assert.Equal(0, owned.GetProperty("billed_price").GetProperty("cents").GetInt32());
        Assert.Equal(app.Name, attached.GetProperty("app").GetProperty("name").GetString());
        Assert.Equal(app.Name, attached.GetProperty("addon").GetProperty("app").GetProperty("name").GetString());
        Assert.Equal(addon.Id.ToString(), attached.GetProperty("addon").GetProperty("id").GetString());
        Assert.Equal("files", attached.GetProperty("addon").GetProperty("name").GetString());
        Assert.Equal("filestore:standard", attached.GetProperty("addon").GetProperty("plan").GetProperty("name").GetString());
        Assert.NotEqual(addon.Id.ToString(), attached.GetProperty("id").GetString());
        Assert.Equal("files", attached.GetProperty("name").GetString());
        Assert.True(attached.GetProperty("primary").GetBoolean());
        Assert.Equal("provisioned", attached.GetProperty("state").GetString());
        Assert.Equal(["FILESTORE_PATH"], attached.GetProperty("config_vars").EnumerateArray().Select(v => v.GetString()));
        Assert.Contains(everywhere.EnumerateArray(), a => a.GetRawText() == attached.GetRawText());
        Assert.Contains(allAddons.EnumerateArray(), a => a.GetRawText() == owned.GetRawText());
        Assert.Equal(attached.GetRawText(), byName.GetRawText());
        Assert.Equal(attached.GetRawText(), byId.GetRawText());
        Assert.Equal((404, $"Add-on attachment 'nosuch' not found for {app.Name}."), unknown);
        Assert.Empty((await _aka.AkkerisAsync(HttpMethod.Get, $"/apps/{app.Name}/addon-attachments"))!.Value.EnumerateArray());
    }

    [Fact]
    public async Task AddonPlans_ListAndInfo_HaveStateAndPrice()
    {
        var plans = (await _aka.AkkerisAsync(HttpMethod.Get, "/addon-services/filestore/plans"))!.Value;
        var byName = (await _aka.AkkerisAsync(HttpMethod.Get, "/addon-services/filestore/plans/standard"))!.Value;
        var byFullName = (await _aka.AkkerisAsync(HttpMethod.Get, "/addon-services/filestore/plans/filestore:standard"))!.Value;
        var unknown = await _aka.AkkerisErrorAsync(HttpMethod.Get, "/addon-services/filestore/plans/huge");

        var listed = Assert.Single(plans.EnumerateArray());
        Assert.Equal(listed.GetRawText(), byName.GetRawText());
        Assert.Equal(listed.GetRawText(), byFullName.GetRawText());
        Assert.Equal("public", byName.GetProperty("state").GetString());
        Assert.Equal(0, byName.GetProperty("price").GetProperty("cents").GetInt32());
        Assert.Equal("month", byName.GetProperty("price").GetProperty("unit").GetString());
        Assert.Equal("filestore:standard", byName.GetProperty("name").GetString());
        Assert.Equal("standard", byName.GetProperty("human_name").GetString());
        Assert.False(string.IsNullOrEmpty(byName.GetProperty("id").GetString()));
        Assert.False(string.IsNullOrEmpty(byName.GetProperty("description").GetString()));
        Assert.Equal((404, "The filestore service has no plan 'huge'; its plans are: filestore:standard."), unknown);
    }

    [Fact]
    public async Task Spaces_ListInfoAndCreate_HaveEveryFieldAkaSpacesReads()
    {
        var name = SlipwayApi.Unique("space");
        var created = (await _aka.AkkerisAsync(HttpMethod.Post, "/spaces", new { name, description = "Production", compliance = new[] { "internal", "prod" }, stack = "slipway-1" }))!.Value;
        await _api.CreateAppAsync(name);

        var listed = (await _aka.AkkerisAsync(HttpMethod.Get, "/spaces"))!.Value.EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);
        var info = (await _aka.AkkerisAsync(HttpMethod.Get, $"/spaces/{name}"))!.Value;
        var badStack = await _aka.AkkerisErrorAsync(HttpMethod.Post, "/spaces", new { name = SlipwayApi.Unique("space"), stack = "ds1" });
        var badTag = await _aka.AkkerisErrorAsync(HttpMethod.Post, "/spaces", new { name = SlipwayApi.Unique("space"), compliance = new[] { "no tags" } });

        Assert.Equal(0, created.GetProperty("apps").GetInt32());
        foreach (var space in new[] { listed, info })
        {
            Assert.Equal(name, space.GetProperty("name").GetString());
            Assert.Equal("local", space.GetProperty("region").GetProperty("name").GetString());
            Assert.Equal("slipway-1", space.GetProperty("stack").GetProperty("name").GetString());
            Assert.Equal(["internal", "prod"], space.GetProperty("compliance").EnumerateArray().Select(t => t.GetString()));
            Assert.Equal(1, space.GetProperty("apps").GetInt32());
            Assert.Equal("allocated", space.GetProperty("state").GetString());
            Assert.False(string.IsNullOrEmpty(space.GetProperty("id").GetString()));
            Assert.True(space.GetProperty("updated_at").GetDateTimeOffset() >= space.GetProperty("created_at").GetDateTimeOffset());
        }

        Assert.Equal((422, "Stack 'ds1' does not exist: this server builds on one stack, 'slipway-1'."), badStack);
        Assert.Equal((422, "Compliance tag 'no tags' is not valid: use lowercase letters, digits and dashes (e.g. internal, prod)."), badTag);
    }

    [Fact]
    public async Task Orgs_ListAndInfo_NameTheOneOrganization()
    {
        var listed = Assert.Single((await _aka.AkkerisAsync(HttpMethod.Get, "/organizations"))!.Value.EnumerateArray());
        var info = (await _aka.AkkerisAsync(HttpMethod.Get, "/organizations/default"))!.Value;
        var unknown = await _aka.AkkerisErrorAsync(HttpMethod.Get, "/organizations/acme");

        Assert.Equal("default", listed.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(listed.GetProperty("id").GetString()));
        Assert.Equal(listed.GetRawText(), info.GetRawText());
        Assert.Equal((404, "Organization 'acme' not found: this server has one organization, 'default'."), unknown);
    }

    [Fact]
    public async Task Repo_GetAndUnsetAtBuildsAutoGithub_AreTheAutoDeployRoute()
    {
        using var repo = GitRepo.Create();
        repo.CommitAndPush([new ArchiveFile("index.html", "hello")], "Initial commit");
        var app = (await _api.CreateAppAsync()).Name;
        await _api.SetAutoDeployAsync(app, new { repo = repo.Bare, branch = "main", username = "jdoe" });

        var shown = (await _aka.AkkerisAsync(HttpMethod.Get, $"/apps/{app}/builds/auto/github"))!.Value;
        var unset = (await _aka.AkkerisAsync(HttpMethod.Delete, $"/apps/{app}/builds/auto/github"))!.Value;
        var gone = await _aka.AkkerisErrorAsync(HttpMethod.Get, $"/apps/{app}/builds/auto/github");

        Assert.Equal(app, shown.GetProperty("app").GetProperty("name").GetString());
        Assert.Equal(repo.Bare, shown.GetProperty("repo").GetString());
        Assert.Equal("main", shown.GetProperty("branch").GetString());
        Assert.Equal("jdoe", shown.GetProperty("username").GetString());
        Assert.True(shown.GetProperty("created_at").GetDateTimeOffset() > DateTimeOffset.UnixEpoch);
        Assert.Equal(repo.Bare, unset.GetProperty("repo").GetString());
        Assert.Equal(404, gone.Status);
    }
}
