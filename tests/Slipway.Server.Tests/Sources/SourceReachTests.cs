using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Slipway.Contracts;
using Slipway.Server.Sources;
using Slipway.Server.Tests.Builds;

namespace Slipway.Server.Tests.Sources;

/// <summary>A server as shipped: builds may not fetch sources from this machine or a private network.</summary>
public sealed class PrivateSourcesRefusedFixture : SlipwayServerFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Slipway:Builds:AllowPrivateSources"] = "false" };
}

/// <inheritdoc cref="PrivateSourcesRefusedFixture"/>
public sealed class PostgresPrivateSourcesRefusedFixture(PostgresServer postgres) : SlipwayServerFixture(Database.Postgres, postgres)
{
    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?> { ["Slipway:Builds:AllowPrivateSources"] = "false" };
}

/// <summary>Source URLs on loopback or private addresses are refused at connect time, and no failure quotes the reply.</summary>
public abstract class SourceReachTests(SlipwayServerFixture fixture, ArchiveServer archives)
{
    private readonly SlipwayApi _api = fixture.Api;

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task Build_FromThisMachine_FailsWithoutConnecting(string host)
    {
        var app = await _api.CreateAppAsync();
        var served = new Uri(archives.Serve(Encoding.UTF8.GetBytes("internal secret")));
        var url = new UriBuilder(served) { Host = host }.Uri.ToString();

        var (build, output) = await _api.BuildAsync(app.Name, url);

        Assert.Equal("failed", build.Status);
        Assert.Equal($"Could not fetch {url}: {host} is on this machine or a private network, which builds may not fetch from (an admin can allow it: Slipway:Builds:AllowPrivateSources).", build.FailureReason);
        Assert.False(archives.Hits.ContainsKey(served.AbsolutePath));
        Assert.DoesNotContain("secret", output);
    }

    [Fact]
    public async Task Build_WithABuildpackFolderOnTheServer_Fails()
    {
        var app = await _api.CreateAppAsync();
        var buildpack = fixture.Server.WriteBuildpack(new Dictionary<string, string> { ["detect"] = "exit 0", ["compile"] = "exit 0" });
        await _api.SetConfigAsync(app.Name, new Dictionary<string, string> { ["BUILDPACK_URL"] = buildpack });

        var (build, _) = await BuildUploadedAsync(app.Name);

        Assert.Equal("failed", build.Status);
        Assert.Equal($"BUILDPACK_URL '{buildpack}' is a folder on the server, which builds may not use (an admin can allow it: Slipway:Builds:AllowPrivateSources); use a built-in or a git URL.", build.FailureReason);
    }

    [Theory]
    [InlineData("http://127.0.0.1:{0}/buildpack.git", "127.0.0.1")]
    [InlineData("http://localhost:{0}/buildpack.git", "localhost")]
    public async Task Build_WithABuildpackOnThisMachine_FailsWithoutConnecting(string template, string host)
    {
        var app = await _api.CreateAppAsync();
        var url = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, archives.BaseAddress.Port);
        await _api.SetConfigAsync(app.Name, new Dictionary<string, string> { ["BUILDPACK_URL"] = url });

        var (build, _) = await BuildUploadedAsync(app.Name);

        Assert.Equal("failed", build.Status);
        Assert.Equal($"Could not fetch buildpack {url}: {host} is on this machine or a private network, which builds may not fetch from (an admin can allow it: Slipway:Builds:AllowPrivateSources).", build.FailureReason);
        Assert.DoesNotContain(archives.Hits.Keys, k => k.Contains("buildpack", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AutoDeploy_OfARepositoryOnThisMachine_IsRefusedWithoutReadingIt()
    {
        var app = await _api.CreateAppAsync();
        var url = $"http://127.0.0.1:{archives.BaseAddress.Port}/internal-repo.git";

        var response = await _api.Http.PostAsJsonAsync($"/apps/{app.Name}/builds/auto", new { repo = url, branch = "main" }, SlipwayJson.Options);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("127.0.0.1 is on this machine or a private network", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(archives.Hits.Keys, k => k.Contains("internal-repo", StringComparison.Ordinal));
    }

    /// <summary>Builds a Procfile app from an upload (<c>POST /sources</c>), which needs no network.</summary>
    private async Task<(BuildResponse Build, string Output)> BuildUploadedAsync(string app)
    {
        var source = await SlipwayApi.ReadAsync<SourceResponse>(await _api.Http.PostAsync("/sources", null), HttpStatusCode.Created);
        var bytes = Archives.TarGz([new ArchiveFile("Procfile", "web: python3 -m http.server --bind 127.0.0.1 $PORT\n")]);
        await SlipwayApi.ReadAsync<SourceResponse>(await _api.Http.PutAsync(source.SourceBlob.PutUrl, new ByteArrayContent(bytes)), HttpStatusCode.OK);
        return await _api.BuildAsync(app, source.SourceBlob.GetUrl);
    }
}

public sealed class SqliteSourceReachTests(PrivateSourcesRefusedFixture fixture, ArchiveServer archives)
    : SourceReachTests(fixture, archives), IClassFixture<PrivateSourcesRefusedFixture>, IClassFixture<ArchiveServer>;

public sealed class PostgresSourceReachTests(PostgresPrivateSourcesRefusedFixture fixture, ArchiveServer archives)
    : SourceReachTests(fixture, archives), IClassFixture<PostgresPrivateSourcesRefusedFixture>, IClassFixture<ArchiveServer>;

/// <summary>With private sources allowed (as in tests), a failure still says what went wrong in its own words, never the reply's bytes.</summary>
public sealed class SourceReplyEchoTests(SqliteServerFixture fixture, ArchiveServer archives) : IClassFixture<SqliteServerFixture>, IClassFixture<ArchiveServer>
{
    private readonly SlipwayApi _api = fixture.Api;

    [Fact]
    public async Task Build_FromAPageThatIsNotAnArchive_DoesNotQuoteIt()
    {
        var app = await _api.CreateAppAsync();
        var url = archives.Serve(Encoding.UTF8.GetBytes("TOPSECRET internal page"));

        var (build, output) = await _api.BuildAsync(app.Name, url);

        Assert.Equal("The source is not an archive Slipway can unpack (an unknown format): use a .zip or a .tar.gz.", build.FailureReason);
        Assert.DoesNotContain("TOPSECRET", output);
        Assert.DoesNotContain(Convert.ToHexStringLower("TOPSECRE"u8), output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Build_FromAServiceThatIsNotHttp_DoesNotQuoteItsGreeting()
    {
        var app = await _api.CreateAppAsync();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var greeting = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            await client.GetStream().WriteAsync("SSH-2.0-TOPSECRET_banner\r\n"u8.ToArray());
        });
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/source.tar.gz";

        var (build, output) = await _api.BuildAsync(app.Name, url);
        await greeting;

        Assert.Equal($"Could not fetch {url}: the server's answer is not valid HTTP.", build.FailureReason);
        Assert.DoesNotContain("TOPSECRET", output);
    }
}

/// <summary>Which addresses count as this machine or a private network.</summary>
public sealed class SourceReachAddressTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::1", true)]
    [InlineData("::", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("100.128.0.1", false)]
    [InlineData("2606:4700::1111", false)]
    [InlineData("::ffff:1.1.1.1", false)]
    public void IsPrivate_KnowsLoopbackLinkLocalAndPrivateRanges(string address, bool expected) =>
        Assert.Equal(expected, SourceReach.IsPrivate(IPAddress.Parse(address)));
}
