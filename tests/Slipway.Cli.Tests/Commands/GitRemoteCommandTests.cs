namespace Slipway.Cli.Tests.Commands;

public sealed class GitRemoteCommandTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("aka-git-remote-").FullName;

    [Fact]
    public async Task GitRemote_InARepository_AddsTheAppsRemote_ThenPointsItAgain()
    {
        var app = await fixture.Api.CreateAppAsync();
        var other = await fixture.Api.CreateAppAsync();
        GitRepo.Git(_work, "init", "--quiet");
        var aka = fixture.Aka with { WorkingDirectory = _work };

        var added = await aka.RunAsync("git:remote", "-a", app.Name);
        var repointed = await aka.RunAsync("git:remote", "-a", other.Name);
        var named = await aka.RunAsync("git:remote", "-a", app.Name, "-r", "production");

        Assert.Equal($"set git remote slipway to {app.GitUrl}\n", added.Out);
        Assert.Equal($"set git remote slipway to {other.GitUrl}\n", repointed.Out);
        Assert.Equal($"set git remote production to {app.GitUrl}\n", named.Out);
        Assert.Equal(0, named.ExitCode);
        Assert.Equal(other.GitUrl, GitRepo.Git(_work, "remote", "get-url", "slipway").Trim());
        Assert.Equal(app.GitUrl, GitRepo.Git(_work, "remote", "get-url", "production").Trim());
    }

    [Fact]
    public async Task GitRemote_OutsideARepository_SaysSo()
    {
        var app = await fixture.Api.CreateAppAsync();

        var result = await (fixture.Aka with { WorkingDirectory = _work }).RunAsync("git:remote", "-a", app.Name);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"! {_work} is not in a git repository", result.Error);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
