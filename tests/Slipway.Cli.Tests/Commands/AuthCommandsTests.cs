namespace Slipway.Cli.Tests.Commands;

public sealed class AuthCommandsTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>, IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("aka-home-").FullName;

    private string NetrcPath => Path.Combine(_home, ".netrc");

    /// <summary>The CLI with no token in the environment, so only the netrc file can log it in.</summary>
    private Aka Aka => fixture.Aka with { Token = null, NetrcPath = NetrcPath };

    [Fact]
    public async Task Login_WithToken_WritesNetrcAndWhoamiReadsIt()
    {
        var (email, token) = await NewUserAsync();

        var login = await Aka.RunAsync("login", "--token", token);
        var whoami = await Aka.RunAsync("auth:whoami");

        Assert.Equal($"Logged in as {email}\n", login.Out);
        Assert.Equal(0, login.ExitCode);
        Assert.Equal($"machine 127.0.0.1 login {email} password {token}\n", File.ReadAllText(NetrcPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(NetrcPath));
        Assert.Equal($"{email}\n", whoami.Out);
        Assert.Equal(0, whoami.ExitCode);
    }

    [Fact]
    public async Task Login_WithoutToken_PromptsAndReadsStdin()
    {
        var (email, token) = await NewUserAsync();

        var login = await (Aka with { Input = $"{token}\n" }).RunAsync("login");

        Assert.Equal($"Token: Logged in as {email}\n", login.Out);
        Assert.Equal(0, login.ExitCode);
        Assert.Equal($"{email}\n", (await Aka.RunAsync("auth:whoami")).Out);
    }

    [Fact]
    public async Task Login_AgainAsAnotherUser_ReplacesOnlyThisHostsEntry()
    {
        File.WriteAllText(NetrcPath, "machine git.example.com\n  login me\n  password keep\n# a comment\nmachine 127.0.0.1 login old@example.com password slw_old\n");
        var (email, token) = await NewUserAsync();

        await Aka.RunAsync("login", "--token", token);

        Assert.Equal(
            "machine git.example.com\n  login me\n  password keep\n# a comment\n" +
            $"machine 127.0.0.1 login {email} password {token}\n",
            File.ReadAllText(NetrcPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(NetrcPath));
    }

    [Fact]
    public async Task Login_WithInvalidToken_FailsAndWritesNothing()
    {
        var login = await Aka.RunAsync("login", "--token", "slw_wrong");

        Assert.Equal("", login.Out);
        Assert.Equal("! The token is not valid.\n", login.Error);
        Assert.Equal(1, login.ExitCode);
        Assert.False(File.Exists(NetrcPath));
    }

    [Fact]
    public async Task Login_WithEmptyInput_IsRefused()
    {
        var login = await (Aka with { Input = "\n" }).RunAsync("login");

        Assert.Equal("! A token is required: aka login --token TOKEN.\n", login.Error);
        Assert.Equal(1, login.ExitCode);
    }

    [Fact]
    public async Task Logout_AfterLogin_RemovesTheEntryAndWhoamiFails()
    {
        var (_, token) = await NewUserAsync();
        await Aka.RunAsync("login", "--token", token);

        var logout = await Aka.RunAsync("logout");
        var whoami = await Aka.RunAsync("auth:whoami");

        Assert.Equal("Logged out\n", logout.Out);
        Assert.Equal(0, logout.ExitCode);
        Assert.Equal("", File.ReadAllText(NetrcPath));
        Assert.Equal($"! Not logged in to {fixture.Server.BaseAddress}: run 'aka login' or set SLIPWAY_API_TOKEN.\n", whoami.Error);
        Assert.Equal(1, whoami.ExitCode);
    }

    [Fact]
    public async Task Whoami_WithEnvironmentToken_WinsOverNetrc()
    {
        var (_, token) = await NewUserAsync();
        await Aka.RunAsync("login", "--token", token);
        var (otherEmail, otherToken) = await NewUserAsync();

        var whoami = await (Aka with { Token = otherToken }).RunAsync("auth:whoami");

        Assert.Equal($"{otherEmail}\n", whoami.Out);
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private async Task<(string Email, string Token)> NewUserAsync()
    {
        var email = $"{SlipwayApi.Unique("dev")}@example.com";
        return (email, await fixture.Api.CreateUserAsync(email));
    }
}
