using Slipway.Server.Tests.Runtime;

namespace Slipway.Server.Tests.Builds;

/// <summary>
/// Issue 4 end to end: each built-in buildpack's app goes from a source URL through
/// <c>POST /apps/{app}/builds</c> to a release that answers through the router, and leaves no process behind.
/// </summary>
public sealed class BuildpackDeployTests(RuntimeServerFixture fixture, ArchiveServer archives) : IClassFixture<RuntimeServerFixture>, IClassFixture<ArchiveServer>
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task Deploy_ProcfileApp_AnswersThroughRouter()
    {
        var page = "procfile app " + SlipwayApi.Unique();
        var url = archives.Serve(Archives.TarGz(
            [
                new ArchiveFile("Procfile", "web: python3 -m http.server --bind \"$HOST\" \"$PORT\"\n"),
                new ArchiveFile("index.html", page),
            ],
            folder: "site-main"));

        await DeployAndAnswerAsync(url, "slipway/procfile", page);
    }

    [Fact]
    public async Task Deploy_NodeAppWithNpmDependency_AnswersThroughRouterUsingIt()
    {
        var url = archives.Serve(Archives.TarGz(
        [
            new ArchiveFile("package.json", """{"name":"nodeapp","version":"1.0.0","private":true,"dependencies":{"ms":"2.1.3"}}"""),
            new ArchiveFile("server.js", "const ms = require('ms');\nrequire('http').createServer((q, r) => r.end('node ' + ms(90000) + ' ' + process.env.SLIPWAY_RELEASE_VERSION)).listen(process.env.PORT, process.env.HOST);\n"),
        ]));

        await DeployAndAnswerAsync(url, "slipway/nodejs", "node 2m v1");
    }

    [Fact]
    public async Task Deploy_PythonStandardLibraryApp_AnswersThroughRouter()
    {
        var url = archives.Serve(Archives.Zip(
        [
            new ArchiveFile("server.py", """
                import os
                from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
                from greeting import GREETING

                class Handler(BaseHTTPRequestHandler):
                    def do_GET(self):
                        body = (GREETING + " " + os.environ["SLIPWAY_RELEASE_VERSION"]).encode()
                        self.send_response(200)
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)

                ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT"])), Handler).serve_forever()
                """),
            new ArchiveFile("greeting.py", "GREETING = 'python stdlib'\n"),
        ]), "app.zip");

        await DeployAndAnswerAsync(url, "slipway/python", "python stdlib v1");
    }

    [Fact]
    public async Task Deploy_DotnetWebApp_AnswersThroughRouter()
    {
        var url = archives.Serve(Archives.TarGz(
            [
                new ArchiveFile("hello.csproj", """
                    <Project Sdk="Microsoft.NET.Sdk.Web">
                      <PropertyGroup>
                        <TargetFramework>net10.0</TargetFramework>
                        <AssemblyName>HelloWeb</AssemblyName>
                        <ImplicitUsings>enable</ImplicitUsings>
                      </PropertyGroup>
                    </Project>
                    """),
                new ArchiveFile("Program.cs", "var app = WebApplication.Create(args);\napp.MapGet(\"/\", () => \"dotnet \" + Environment.GetEnvironmentVariable(\"SLIPWAY_RELEASE_VERSION\"));\napp.Run();\n"),
            ],
            folder: "hello-dotnet"));

        await DeployAndAnswerAsync(url, "slipway/dotnet", "dotnet v1");
    }

    private async Task DeployAndAnswerAsync(string url, string buildpack, string answer)
    {
        var api = fixture.Api;
        await using var app = await fixture.CreateAppAsync();

        var (build, output) = await api.BuildAsync(app.Key, url, timeout: BuildTimeout);

        Assert.True(build.Status == "succeeded", output);
        Assert.Equal(buildpack, Assert.Single(build.Buildpacks).Url);
        var release = await app.SettledAsync(build.Release!.Version, BuildTimeout);
        Assert.True(release.Status == "succeeded", $"v{release.Version} is {release.Status}: {release.FailureReason}");
        Assert.Equal(answer, await app.ServesAsync(answer));
        var dyno = Assert.Single(await app.DynosAsync());
        Assert.Equal(("web.1", release.Version), (dyno.Name, dyno.ReleaseVersion));
        Assert.NotEmpty(AppProcesses.Of(app.Key));
        await app.DestroyAsync();
        Assert.Empty(AppProcesses.Of(app.Key));
    }
}
