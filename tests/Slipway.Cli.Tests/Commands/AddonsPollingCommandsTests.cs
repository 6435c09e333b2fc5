namespace Slipway.Cli.Tests.Commands;

/// <summary>A server that answers add-on creates and destroys at once with 202, so aka has to poll until the broker is done.</summary>
public sealed class NoWaitAddonsServerFixture : SlipwayServerFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Slipway:Addons:RequestWait"] = "00:00:00" };
}

public sealed class AddonsPollingCommandsTests(NoWaitAddonsServerFixture fixture) : IClassFixture<NoWaitAddonsServerFixture>
{
    [Fact]
    public async Task AddonsCreateAndDestroy_Answered202_WaitUntilAttachedAndUntilGone()
    {
        var app = (await fixture.Api.CreateAppAsync()).Name;
        await fixture.Api.DeploySlugAsync(app);

        var created = await fixture.Aka.RunAsync("addons:create", "filestore", "-a", app, "--name", "files");

        Assert.Equal($"Creating filestore on {app} ... ✓\nCreated files as FILESTORE_PATH\n", created.Out);
        Assert.Equal(0, created.ExitCode);
        Assert.Contains("FILESTORE_PATH", (await fixture.Api.GetConfigAsync(app)).Keys);

        var destroyed = await fixture.Aka.RunAsync("addons:destroy", "files", "-a", app, "--confirm", app);

        Assert.Equal($"Destroying files on {app} ... ✓\n", destroyed.Out);
        Assert.Equal(0, destroyed.ExitCode);
        Assert.Equal($"{app} has no add-ons\n", (await fixture.Aka.RunAsync("addons", "-a", app)).Out);
        await fixture.Api.DestroyAppAsync(app);
    }
}
