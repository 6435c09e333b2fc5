namespace Slipway.Server.Tests.Builds;

/// <summary>
/// Issue 12: an ASP.NET Core app laid out as real solutions are (a solution at the root, a web
/// project and a library under <c>src/</c>), built by the <c>dotnet</c> buildpack and deployed
/// through the API, and the refusal when nothing says which project to run.
/// </summary>
public sealed class BuildpackDotnetTests(BuildpackServerFixture fixture, ArchiveServer archives) : IClassFixture<BuildpackServerFixture>, IClassFixture<ArchiveServer>
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task Deploy_SolutionWithWebProjectAndMissingGlobalJsonSdk_PublishesTheWebProjectWarnsOnceAndListensOnPort()
    {
        var api = fixture.Api;
        await using var app = await fixture.CreateAppAsync();
        var sdk = (await TestTools.RunAsync("dotnet", ["--version"], "/")).Trim();
        var url = archives.Serve(Archives.TarGz(
            [
                new ArchiveFile("global.json", """{ "sdk": { "version": "8.0.100", "rollForward": "disable" } }"""),
                new ArchiveFile("Shop.sln", """

                    Microsoft Visual Studio Solution File, Format Version 12.00
                    # Visual Studio Version 17
                    Project("{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}") = "Shop.Web", "src\Shop.Web\Shop.Web.csproj", "{6F1C2A4B-0000-4000-8000-000000000001}"
                    EndProject
                    Project("{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}") = "Shop.Core", "src\Shop.Core\Shop.Core.csproj", "{6F1C2A4B-0000-4000-8000-000000000002}"
                    EndProject
                    Global
                    EndGlobal
                    """),
                new ArchiveFile("src/Shop.Core/Shop.Core.csproj", """
                    <Project Sdk="Microsoft.NET.Sdk">
                      <PropertyGroup>
                        <TargetFramework>net10.0</TargetFramework>
                      </PropertyGroup>
                    </Project>
                    """),
                new ArchiveFile("src/Shop.Core/Greeting.cs", "namespace Shop.Core;\n\npublic static class Greeting\n{\n    public const string Text = \"shop\";\n}\n"),
                new ArchiveFile("src/Shop.Web/Shop.Web.csproj", """
                    <Project Sdk="Microsoft.NET.Sdk.Web">
                      <PropertyGroup>
                        <TargetFramework>net10.0</TargetFramework>
                        <ImplicitUsings>enable</ImplicitUsings>
                      </PropertyGroup>
                      <ItemGroup>
                        <ProjectReference Include="..\Shop.Core\Shop.Core.csproj" />
                      </ItemGroup>
                    </Project>
                    """),
                new ArchiveFile("src/Shop.Web/Program.cs", """
                    var app = WebApplication.Create(args);
                    app.MapGet("/", () => $"{Shop.Core.Greeting.Text} on {Environment.GetEnvironmentVariable("ASPNETCORE_URLS")?.Split(':')[1].TrimStart('/')} {Environment.GetEnvironmentVariable("SLIPWAY_RELEASE_VERSION")}");
                    app.Run();
                    """),
                new ArchiveFile("Procfile", "web: cd slipway_output && dotnet Shop.Web.dll\n"),
            ],
            folder: "shop-main"));

        var (build, output) = await api.BuildAsync(app.Key, url, timeout: BuildTimeout);

        Assert.True(build.Status == "succeeded", output);
        Assert.Contains("-----> Shop.sln names src/Shop.Web/Shop.Web.csproj", output);
        var warning = Assert.Single(output.Split('\n'), line => line.Contains("Warning", StringComparison.Ordinal));
        Assert.Equal($" !     Warning: global.json asks for .NET SDK 8.0.100, which this server does not have (the SDKs installed beside dotnet): using .NET SDK {sdk}", warning);
        var entries = await fixture.Server.SlugEntriesAsync(api, build.Slug!.Id);
        Assert.True(entries.ContainsKey("./app/slipway_output/Shop.Web.dll"));
        Assert.Contains("8.0.100", entries["./app/global.json"].Text);
        Assert.Equal(
            "shop on 127.0.0.1 v1",
            await app.ServesReleaseOfAsync(build, "shop", BuildTimeout));
    }

    [Fact]
    public async Task Build_TwoProjectsAndNoProjectVar_FailsSayingWhatToSet()
    {
        var api = fixture.Api;
        await using var app = await fixture.CreateAppAsync();
        var project = """<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>""";
        var url = archives.Serve(Archives.TarGz([new ArchiveFile("Api.csproj", project), new ArchiveFile("Admin.csproj", project)]));

        var (build, output) = await api.BuildAsync(app.Key, url, timeout: BuildTimeout);

        Assert.Equal("failed", build.Status);
        Assert.Contains(" !     Several projects at the root (Admin.csproj Api.csproj): set the PROJECT config var to the one to run", output);
    }
}
