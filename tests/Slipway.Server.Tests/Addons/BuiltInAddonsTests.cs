using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Slipway.Contracts;
using Slipway.Server.Addons.BuiltIn;
using Slipway.Server.Data;
using Slipway.Server.Releases;

namespace Slipway.Server.Tests.Addons;

/// <summary>The built-in brokers, called over real HTTP, with a real PostgreSQL server behind <c>postgresql</c>.</summary>
public abstract class BuiltInAddonsTests(AddonServerFixture fixture)
{
    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task Postgresql_Attach_MakesReleaseWithDatabaseUrlThatConnects()
    {
        var app = await _api.CreateAppAsync();

        var response = await _api.PostAddonAsync(app.Name, "postgresql:standard");

        var addon = await SlipwayApi.ReadAsync<AddonResponse>(response, HttpStatusCode.Created);
        Assert.Equal("v1", response.Headers.GetValues("Slipway-Release").Single());
        Assert.Equal(("provisioned", "postgresql", "postgresql:standard", "postgresql"), (addon.State, addon.AddonService.Name, addon.Plan.Name, addon.Broker));
        Assert.Equal(["DATABASE_URL"], addon.ConfigVars);
        var release = await _api.GetReleaseAsync(app.Name, "v1");
        Assert.Equal($"Attach {addon.Name} add-on", release.Description);
        Assert.Equal(["postgresql:standard"], release.AddonPlanNames);
        Assert.Equal(addon.Id, Assert.Single(release.Addons!).Id);
        Assert.Empty(release.ConfigVarNames);
        var databaseUrl = (await _api.GetConfigAsync(app.Name))["DATABASE_URL"];
        Assert.Equal(databaseUrl, (await _api.Http.GetFromJsonAsync<Dictionary<string, string>>($"/apps/{app.Name}/releases/v1/config-vars"))!["DATABASE_URL"]);
        Assert.StartsWith("postgres://", databaseUrl);

        await using var connection = new NpgsqlConnection(DatabaseUrl.ConnectionStringOf(databaseUrl));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE TABLE notes (body text); INSERT INTO notes VALUES ('kept'); SELECT body FROM notes", connection);
        Assert.Equal("kept", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Postgresql_Detach_RemovesVarAndDropsDatabaseAndRole()
    {
        var app = await _api.CreateAppAsync();
        await _api.SetConfigAsync(app.Name, new { KEEP = "me" });
        var addon = await _api.CreateAddonAsync(app.Name, "postgresql", name: "main-db");
        var databaseUrl = (await _api.GetConfigAsync(app.Name))["DATABASE_URL"];
        var database = new NpgsqlConnectionStringBuilder(DatabaseUrl.ConnectionStringOf(databaseUrl)).Database!;
        Assert.True(await ExistsAsync("SELECT 1 FROM pg_database WHERE datname = $1", database));

        var response = await _api.DeleteAddonAsync(app.Name, "main-db");

        var destroyed = await SlipwayApi.ReadAsync<AddonResponse>(response, HttpStatusCode.OK);
        Assert.Equal("deprovisioned", destroyed.State);
        Assert.Equal("v3", response.Headers.GetValues("Slipway-Release").Single());
        var release = await _api.GetReleaseAsync(app.Name, "v3");
        Assert.Equal("Detach main-db add-on", release.Description);
        Assert.Empty(release.AddonPlanNames);
        Assert.Equal(new Dictionary<string, string> { ["KEEP"] = "me" }, await _api.GetConfigAsync(app.Name));
        Assert.Empty(await _api.ListAddonsAsync(app.Name));
        Assert.Null(await _api.GetAddonAsync(app.Name, addon.Id.ToString()));
        Assert.False(await ExistsAsync("SELECT 1 FROM pg_database WHERE datname = $1", database));
        Assert.False(await ExistsAsync("SELECT 1 FROM pg_roles WHERE rolname = $1", database));
    }

    [Fact]
    public async Task Filestore_AttachAndDetach_MakesAndRemovesItsFolder()
    {
        var app = await _api.CreateAppAsync();
        await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);

        var addon = await _api.CreateAddonAsync(app.Name, "filestore");

        Assert.StartsWith("filestore-", addon.Name);
        var path = (await _api.GetConfigAsync(app.Name))["FILESTORE_PATH"];
        Assert.True(Directory.Exists(path));
        Assert.StartsWith(fixture.Server.DataDir, path);
        await File.WriteAllTextAsync(Path.Combine(path, "upload.txt"), "data");

        await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);
        await _api.RollbackAsync(app.Name, "v1");
        Assert.Equal(path, (await _api.GetConfigAsync(app.Name))["FILESTORE_PATH"]);
        Assert.Equal("data", await File.ReadAllTextAsync(Path.Combine(path, "upload.txt")));

        var destroyed = await _api.DeleteAddonAsync(app.Name, addon.Name);
        Assert.Equal(HttpStatusCode.OK, destroyed.StatusCode);
        Assert.False(Directory.Exists(path));
        Assert.DoesNotContain("FILESTORE_PATH", (await _api.GetConfigAsync(app.Name)).Keys);
    }

    [Fact]
    public async Task Rollback_AcrossAttach_KeepsAddonAndItsVarAndSaysSo()
    {
        var app = await _api.CreateAppAsync();
        var first = await _api.CreateSlugAsync(app.Name);
        await _api.SetConfigAsync(app.Name, new { COLOR = "blue" });
        await _api.DeployAsync(app.Name, first.Id);
        var addon = await _api.CreateAddonAsync(app.Name, "postgresql");
        var databaseUrl = (await _api.GetConfigAsync(app.Name))["DATABASE_URL"];
        await _api.SetConfigAsync(app.Name, new { COLOR = "red" });
        await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);

        var rollback = await _api.RollbackAsync(app.Name, "v2");

        Assert.Equal((6, 2, first.Id), (rollback.Version, rollback.RollbackOf, rollback.Slug?.Id));
        Assert.Equal(["postgresql:standard"], rollback.AddonPlanNames);
        var difference = Assert.Single(rollback.AddonsNotRolledBack!);
        Assert.Equal((addon.Id, addon.Name, "postgresql:standard", true), (difference.Id, difference.Name, difference.Plan, difference.AttachedNow));
        Assert.Equal(new Dictionary<string, string> { ["COLOR"] = "blue", ["DATABASE_URL"] = databaseUrl }, await _api.GetConfigAsync(app.Name));
        Assert.Equal("provisioned", (await _api.GetAddonAsync(app.Name, addon.Name))!.State);
        Assert.Single((await _api.GetReleaseAsync(app.Name, "v6")).AddonsNotRolledBack!);
        Assert.Null((await _api.GetReleaseAsync(app.Name, "v5")).AddonsNotRolledBack);
        await using var connection = new NpgsqlConnection(DatabaseUrl.ConnectionStringOf(databaseUrl));
        await connection.OpenAsync();
    }

    [Fact]
    public async Task Rollback_ToReleaseWhoseUserVarAnAddonNowSets_KeepsAddonsValue()
    {
        var app = await _api.CreateAppAsync();
        await _api.SetConfigAsync(app.Name, new { DATABASE_URL = "postgres://old-hand-made", KEEP = "1" });
        await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);
        await _api.SetConfigAsync(app.Name, new Dictionary<string, string?> { ["DATABASE_URL"] = null });
        await _api.CreateAddonAsync(app.Name, "postgresql");
        var databaseUrl = (await _api.GetConfigAsync(app.Name))["DATABASE_URL"];
        await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);

        var rollback = await _api.RollbackAsync(app.Name, "v2");

        Assert.Equal(["KEEP"], rollback.ConfigVarNames);
        Assert.Equal(new Dictionary<string, string> { ["KEEP"] = "1", ["DATABASE_URL"] = databaseUrl }, await _api.GetConfigAsync(app.Name));
    }

    [Fact]
    public async Task Rollback_WithSameAddons_ReportsNoDifference()
    {
        var app = await _api.CreateAppAsync();
        await _api.CreateAddonAsync(app.Name, "filestore");
        await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);
        await _api.DeployAsync(app.Name, (await _api.CreateSlugAsync(app.Name)).Id);

        var rollback = await _api.RollbackAsync(app.Name, "previous");

        Assert.Equal(2, rollback.RollbackOf);
        Assert.Empty(rollback.AddonsNotRolledBack!);
    }

    [Fact]
    public async Task ConfigPatch_ShadowingAddonVar_Is409NamingAddonAndMakesNoRelease()
    {
        var app = await _api.CreateAppAsync();
        var addon = await _api.CreateAddonAsync(app.Name, "postgresql");

        var set = await _api.PatchConfigAsync(app.Name, new { DATABASE_URL = "postgres://mine", OTHER = "1" });
        var unset = await _api.PatchConfigAsync(app.Name, new Dictionary<string, string?> { ["DATABASE_URL"] = null });

        Assert.Contains(addon.Name, await SlipwayApi.ProblemAsync(set, HttpStatusCode.Conflict));
        Assert.Contains(addon.Name, await SlipwayApi.ProblemAsync(unset, HttpStatusCode.Conflict));
        Assert.Single(await _api.ListReleasesAsync(app.Name));
        Assert.DoesNotContain("OTHER", (await _api.GetConfigAsync(app.Name)).Keys);
    }

    [Fact]
    public async Task Attach_OverUserVar_Is409AndProvisionsNothing()
    {
        var app = await _api.CreateAppAsync();
        await _api.SetConfigAsync(app.Name, new { DATABASE_URL = "postgres://mine" });

        var response = await _api.PostAddonAsync(app.Name, "postgresql:standard", name: "shadow");

        var message = await SlipwayApi.ProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Contains("DATABASE_URL", message);
        Assert.Contains("shadow", message);
        Assert.Empty(await _api.ListAddonsAsync(app.Name));
        Assert.Single(await _api.ListReleasesAsync(app.Name));
        Assert.Equal("postgres://mine", (await _api.GetConfigAsync(app.Name))["DATABASE_URL"]);
    }

    [Fact]
    public async Task ConfigChangeAfterAttach_KeepsAddonInRelease()
    {
        var app = await _api.CreateAppAsync();
        var addon = await _api.CreateAddonAsync(app.Name, "filestore");

        var release = await _api.SetConfigAsync(app.Name, new { FOO = "1" });

        Assert.Equal([addon.Plan.Name], release.AddonPlanNames);
        Assert.Equal(["FOO"], release.ConfigVarNames);
        Assert.Equal(["FILESTORE_PATH", "FOO"], (await _api.GetConfigAsync(app.Name)).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReleaseEnvironment_OfStoredRelease_IsUserConfigPlusAddonConfig()
    {
        var app = await _api.CreateAppAsync();
        await _api.SetConfigAsync(app.Name, new { FOO = "1" });
        await _api.CreateAddonAsync(app.Name, "filestore");
        var config = await _api.GetConfigAsync(app.Name);

        await using var scope = fixture.Server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SlipwayDb>();
        var release = await db.Releases.AsNoTracking().SingleAsync(r => r.AppId == app.Id && r.Version == 2);

        var environment = ReleaseEnvironment.Of(release);

        Assert.Equal(new Dictionary<string, string> { ["FOO"] = "1", ["FILESTORE_PATH"] = config["FILESTORE_PATH"] }, environment);
        Assert.Equal(["FOO"], release.ConfigVars.Keys);
    }

    [Fact]
    public async Task AddonServices_ListBuiltInsAndTheirPlans()
    {
        var services = await _api.Http.GetFromJsonAsync<List<AddonServiceResponse>>("/addon-services", SlipwayJson.Options);
        var plans = await _api.Http.GetFromJsonAsync<List<AddonPlanResponse>>("/addon-services/postgresql/plans", SlipwayJson.Options);

        Assert.Contains(services!, s => s is { Name: "postgresql", Broker: "postgresql", HumanName: "PostgreSQL" });
        Assert.Contains(services!, s => s is { Name: "filestore", Broker: "filestore" });
        Assert.Contains(services!, s => s.Name == TestBroker.Service);
        var plan = Assert.Single(plans!);
        Assert.Equal(("postgresql:standard", "standard", true), (plan.Name, plan.HumanName, plan.Default));
    }

    [Fact]
    public async Task Create_UnknownServiceOrPlan_IsRefusedAndNothingMade()
    {
        var app = await _api.CreateAppAsync();

        var service = await _api.PostAddonAsync(app.Name, "nosuchthing:big");
        var plan = await _api.PostAddonAsync(app.Name, "postgresql:huge");
        var name = await _api.PostAddonAsync(app.Name, "postgresql", name: "Bad Name");

        Assert.Contains("nosuchthing", await SlipwayApi.ProblemAsync(service, HttpStatusCode.NotFound));
        Assert.Contains("postgresql:standard", await SlipwayApi.ProblemAsync(plan, HttpStatusCode.UnprocessableEntity));
        Assert.Contains("not valid", await SlipwayApi.ProblemAsync(name, HttpStatusCode.UnprocessableEntity));
        Assert.Empty(await _api.ListAddonsAsync(app.Name));
        Assert.Empty(await _api.ListReleasesAsync(app.Name));
    }

    [Fact]
    public async Task Create_NameTaken_Is409()
    {
        var app = await _api.CreateAppAsync();
        await _api.CreateAddonAsync(app.Name, "filestore", name: "files");

        var again = await _api.PostAddonAsync(app.Name, "filestore", name: "files");

        Assert.Contains("files", await SlipwayApi.ProblemAsync(again, HttpStatusCode.Conflict));
        Assert.Single(await _api.ListAddonsAsync(app.Name));
    }

    [Fact]
    public async Task AppDestroy_WithAddons_IsRefused()
    {
        var app = await _api.CreateAppAsync();
        var addon = await _api.CreateAddonAsync(app.Name, "filestore");

        var response = await _api.Http.DeleteAsync($"/apps/{app.Name}?confirm={app.Name}");

        Assert.Contains(addon.Name, await SlipwayApi.ProblemAsync(response, HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task BuiltInBroker_WithoutBasicAuthOrApiVersion_IsRefused()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Server.BaseAddress };
        var noAuth = await anonymous.GetAsync("/brokers/postgresql/v2/catalog");
        var bearer = await _api.Http.GetAsync("/brokers/postgresql/v2/catalog");
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{BuiltInBrokers.Username}:{AddonServerFixture.BuiltInPassword}")));
        var noVersion = await anonymous.GetAsync("/brokers/postgresql/v2/catalog");
        anonymous.DefaultRequestHeaders.Add("X-Broker-API-Version", "2.13");
        var ok = await anonymous.GetAsync("/brokers/postgresql/v2/catalog");

        Assert.Equal(HttpStatusCode.Unauthorized, noAuth.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bearer.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, noVersion.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("\"plans\"", await ok.Content.ReadAsStringAsync());
    }

    private async Task<bool> ExistsAsync(string sql, string name)
    {
        await using var connection = new NpgsqlConnection(fixture.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = name } } };
        return await command.ExecuteScalarAsync() is not null;
    }
}

public sealed class SqliteBuiltInAddonsTests(SqliteAddonServerFixture fixture) : BuiltInAddonsTests(fixture), IClassFixture<SqliteAddonServerFixture>;

public sealed class PostgresBuiltInAddonsTests(PostgresAddonServerFixture fixture) : BuiltInAddonsTests(fixture), IClassFixture<PostgresAddonServerFixture>;
