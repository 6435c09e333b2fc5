using Slipway.Server.Addons;

namespace Slipway.Server.Tests.Addons;

public sealed class AddonConfigTests
{
    [Theory]
    [InlineData("database_url", "DATABASE_URL")]
    [InlineData("uri", "URI")]
    [InlineData("api-key", "API_KEY")]
    [InlineData("1st", "_1ST")]
    public void CredentialsKey_BecomesUpperCasedConfigVarName(string key, string expected)
    {
        Assert.Equal(expected, AddonConfig.NameOf(key));
    }
}
