using Slipway.Cli.Api;

namespace Slipway.Cli.Tests.Api;

public sealed class NetrcTests
{
    [Fact]
    public void Find_MultiLineEntry_ReadsLoginAndPassword()
    {
        var netrc = Netrc.Parse("machine api.example.com\n  login me@example.com\n  password slw_1\n");

        Assert.Equal(new NetrcCredentials("me@example.com", "slw_1"), netrc.Find("api.example.com"));
    }

    [Fact]
    public void Find_OtherMachineOnly_IsNull() =>
        Assert.Null(Netrc.Parse("machine git.example.com login a password b\n").Find("api.example.com"));

    [Fact]
    public void Find_NoMatchingMachine_FallsBackToDefault() =>
        Assert.Equal(new NetrcCredentials("d", "p"), Netrc.Parse("machine x login a password b\ndefault login d password p\n").Find("api.example.com"));

    [Fact]
    public void Find_AfterCommentsAndMacro_SkipsThem()
    {
        var netrc = Netrc.Parse("# machine api.example.com login no password no\nmacdef init\necho machine api.example.com password nope\n\nmachine api.example.com login yes password slw_ok\n");

        Assert.Equal(new NetrcCredentials("yes", "slw_ok"), netrc.Find("api.example.com"));
    }

    [Fact]
    public void With_ExistingEntry_ReplacesItAndKeepsTheRest()
    {
        var netrc = Netrc.Parse("machine a login x password 1\nmachine api.example.com\n  login old\n  password slw_old\nmachine b login y password 2");

        var updated = netrc.With("api.example.com", "new@example.com", "slw_new");

        Assert.Equal("machine a login x password 1\nmachine b login y password 2\nmachine api.example.com login new@example.com password slw_new\n", updated.ToString());
    }

    [Fact]
    public void Without_OnlyEntry_LeavesAnEmptyFile() =>
        Assert.Equal("", Netrc.Parse("machine api.example.com login a password b\n").Without("api.example.com").ToString());

    [Fact]
    public void Save_NewFile_IsOwnerReadWriteOnly()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("aka-netrc-").FullName, ".netrc");
        try
        {
            Netrc.Parse("").With("h", "l", "p").Save(path);

            Assert.Equal("machine h login l password p\n", File.ReadAllText(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
