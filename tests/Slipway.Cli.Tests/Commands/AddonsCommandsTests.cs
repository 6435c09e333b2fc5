namespace Slipway.Cli.Tests.Commands;

/// <summary>A server whose built-in brokers take a known password, so a test can register one of them again as an API broker.</summary>
public sealed class AddonsServerFixture : SlipwayServerFixture
{
    public const string BuiltInPassword = "built-in-test-password";

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Slipway:Addons:BuiltInPassword"] = BuiltInPassword };
}

public sealed class AddonsCommandsTests(AddonsServerFixture fixture) : IClassFixture<AddonsServerFixture>
{
    [Fact]
    public async Task AddonsServicesAndPlans_ListTheFilestore()
    {
        var services = await fixture.Aka.RunAsync("addons:services");
        var plans = await fixture.Aka.RunAsync("addons:plans", "filestore");

        Assert.Contains("filestore  File store  filestore  filestore:standard\n", services.Out);
        Assert.Equal(0, services.ExitCode);
        Assert.Equal("default  filestore:standard  free  A folder on the Slipway host's disk.\n", plans.Out);
        Assert.Equal(0, plans.ExitCode);
    }

    [Fact]
    public async Task AddonsCreateListInfoDestroy_WithTheFilestore()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app);

        var created = await fixture.Aka.RunAsync("addons:create", "filestore:standard", "-a", app, "--name", "files");

        Assert.Equal($"Creating filestore:standard on {app} ... ✓\nCreated files as FILESTORE_PATH\n", created.Out);
        Assert.Equal("", created.Error);
        Assert.Equal(0, created.ExitCode);

        var list = await fixture.Aka.RunAsync("addons", "-a", app);

        Assert.Equal("files  filestore:standard  provisioned  FILESTORE_PATH\n", list.Out);

        var info = await fixture.Aka.RunAsync("addons:info", "files", "-a", app);

        Assert.StartsWith(
            "=== files\n" +
            $"App:         {app}\n" +
            "Plan:        filestore:standard\n" +
            "State:       provisioned\n" +
            "Config vars: FILESTORE_PATH\n" +
            "Broker:      filestore\n" +
            "Created:     ",
            info.Out);
        Assert.DoesNotContain((await fixture.Api.GetConfigAsync(app))["FILESTORE_PATH"], info.Out + list.Out + created.Out);

        var refused = await fixture.Aka.RunAsync("addons:destroy", "files", "-a", app);

        Assert.Equal($"! To destroy files and its data, re-run with --confirm {app}\n", refused.Error);
        Assert.Equal(1, refused.ExitCode);

        var destroyed = await fixture.Aka.RunAsync("addons:destroy", "files", "-a", app, "--confirm", app);

        Assert.Equal($"Destroying files on {app} ... ✓\n", destroyed.Out);
        Assert.Equal(0, destroyed.ExitCode);
        Assert.Equal($"{app} has no add-ons\n", (await fixture.Aka.RunAsync("addons", "-a", app)).Out);
        Assert.DoesNotContain("FILESTORE_PATH", (await fixture.Api.GetConfigAsync(app)).Keys);
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public async Task AddonsCreate_UnknownPlan_FailsWithTheServerMessage()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;

        var result = await fixture.Aka.RunAsync("addons:create", "filestore:huge", "-a", app);

        Assert.Equal("! The filestore service has no plan 'huge'; its plans are: filestore:standard.\n", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task Rollback_AcrossAnAttach_WarnsThatTheAddonIsNotRolledBack()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app);
        Assert.Equal(0, (await fixture.Aka.RunAsync("addons:create", "filestore", "-a", app, "--name", "mydb")).ExitCode);
        var attach = await fixture.Api.SettledAsync(app, await fixture.Api.GetReleaseAsync(app, 2));
        Assert.Equal("Attach mydb add-on", attach.Description);

        var result = await fixture.Aka.RunAsync("rollback", "v1", "-a", app);

        Assert.Equal(
            $"Rolling back to v1 on {app}\n" +
            "Add-ons are not rolled back: mydb (filestore:standard) stays attached with its current data.\n",
            result.Out);
        Assert.Equal(0, result.ExitCode);
        await DestroyAsync(app, "mydb");
    }

    [Fact]
    public async Task Rollback_WithoutAddonChanges_PrintsNoWarning()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app);
        await fixture.Api.DeploySlugAsync(app);

        var result = await fixture.Aka.RunAsync("rollback", "v1", "-a", app);

        Assert.Equal($"Rolling back to v1 on {app}\n", result.Out);
        await fixture.Api.DestroyAppAsync(app);
    }

    [Fact]
    public void AddonWarning_SeveralAddons_NamesThemAll()
    {
        var warning = Slipway.Cli.Commands.RollbackCommand.AddonWarning(
        [
            new(Guid.NewGuid(), "a", "filestore:standard", true),
            new(Guid.NewGuid(), "b", "postgresql:standard", true),
            new(Guid.NewGuid(), "c", "filestore:standard", false),
        ]);

        Assert.Equal("Add-ons are not rolled back: a (filestore:standard) and b (postgresql:standard) stay attached with their current data; c (filestore:standard) stays detached.", warning);
    }

    [Fact]
    public async Task ReleasesInfo_ListsTheReleasesAddons()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app);
        Assert.Equal(0, (await fixture.Aka.RunAsync("addons:create", "filestore:standard", "-a", app, "--name", "files")).ExitCode);
        await fixture.Api.SettledAsync(app, await fixture.Api.GetReleaseAsync(app, 2));

        var withAddon = await fixture.Aka.RunAsync("releases:info", "v2", "-a", app);
        var without = await fixture.Aka.RunAsync("releases:info", "v1", "-a", app);

        Assert.Contains("\nConfig vars: none\nAdd-ons:     files (filestore:standard) as FILESTORE_PATH\n", withAddon.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Add-ons:", without.Out);
        await DestroyAsync(app, "files");
    }

    [Fact]
    public async Task AddonsBrokers_ListAndAdd()
    {
        var name = SlipwayApi.Unique("broker");
        var url = new Uri(fixture.Server.BaseAddress, "brokers/filestore/").ToString();

        var added = await fixture.Aka.RunAsync("addons:brokers:add", name, url, "--username", "slipway", "--password", AddonsServerFixture.BuiltInPassword);
        var list = await fixture.Aka.RunAsync("addons:brokers");

        Assert.Equal($"Added broker {name} with filestore\n", added.Out);
        Assert.Equal(0, added.ExitCode);
        Assert.Matches($@"(?m)^filestore +\S+ +built_in +available +filestore$", list.Out);
        Assert.Matches($@"(?m)^{name} +{System.Text.RegularExpressions.Regex.Escape(url)} +api +available +filestore$", list.Out);
    }

    [Fact]
    public async Task AddonsBrokersAdd_WrongPassword_FailsWithTheServerMessage()
    {
        var url = new Uri(fixture.Server.BaseAddress, "brokers/filestore/").ToString();

        var result = await fixture.Aka.RunAsync("addons:brokers:add", SlipwayApi.Unique("broker"), url, "--username", "slipway", "--password", "wrong");

        Assert.StartsWith("! The broker was not added: ", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task AddonsBrokers_NonAdmin_IsRefused()
    {
        var token = await fixture.Api.CreateUserAsync($"{SlipwayApi.Unique("user")}@example.com");

        var result = await (fixture.Aka with { Token = token }).RunAsync("addons:brokers");

        Assert.StartsWith("! ", result.Error);
        Assert.Equal(1, result.ExitCode);
    }

    /// <summary>An app with add-ons cannot be destroyed: the add-on goes first, then the app (which stops its processes).</summary>
    private async Task DestroyAsync(string app, string addon)
    {
        Assert.Equal(0, (await fixture.Aka.RunAsync("addons:destroy", addon, "-a", app, "--confirm", app)).ExitCode);
        await fixture.Api.DestroyAppAsync(app);
    }
}
