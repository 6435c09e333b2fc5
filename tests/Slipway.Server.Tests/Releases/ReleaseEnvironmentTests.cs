using Slipway.Server.Addons;
using Slipway.Server.Releases;

namespace Slipway.Server.Tests.Releases;

public sealed class ReleaseEnvironmentTests
{
    [Fact]
    public void Combine_UserAndAddonVars_HasBoth()
    {
        var environment = ReleaseEnvironment.Combine(
            new Dictionary<string, string> { ["FOO"] = "1" },
            [new AddonAttachment(Guid.NewGuid(), "db", "postgresql", "standard", new() { ["DATABASE_URL"] = "postgres://x" })]);

        Assert.Equal(new Dictionary<string, string> { ["FOO"] = "1", ["DATABASE_URL"] = "postgres://x" }, environment);
    }

    [Fact]
    public void Combine_UserVarNamedLikeAddonVar_AddonWins()
    {
        var environment = ReleaseEnvironment.Combine(
            new Dictionary<string, string> { ["DATABASE_URL"] = "stale" },
            [new AddonAttachment(Guid.NewGuid(), "db", "postgresql", "standard", new() { ["DATABASE_URL"] = "live" })]);

        Assert.Equal("live", environment["DATABASE_URL"]);
    }
}
