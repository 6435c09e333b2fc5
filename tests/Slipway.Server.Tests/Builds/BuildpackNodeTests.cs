namespace Slipway.Server.Tests.Builds;

/// <summary>
/// Issue 12: Node.js apps in the shapes real projects have, built by the <c>nodejs</c> buildpack
/// with packages from the npm registry and deployed through the API; what they answer through the
/// router and what the build printed say what the buildpack honoured.
/// </summary>
public sealed class BuildpackNodeTests(BuildpackServerFixture fixture, ArchiveServer archives) : IClassFixture<BuildpackServerFixture>, IClassFixture<ArchiveServer>
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);

    private const string ExpressPackage = """
        {
          "name": "express-app",
          "version": "1.0.0",
          "private": true,
          "engines": { "node": "16.x" },
          "scripts": {
            "start": "node server.js",
            "heroku-prebuild": "node -e \"require('fs').writeFileSync('prebuild.txt', String(require('fs').existsSync('node_modules')))\"",
            "build": "node -e \"process.exit(7)\"",
            "heroku-postbuild": "node build.js"
          },
          "dependencies": { "express": "4.21.2" },
          "devDependencies": { "is-number": "7.0.0" }
        }
        """;

    private const string ExpressBuild = """
        const fs = require('fs');
        fs.mkdirSync('public', { recursive: true });
        fs.writeFileSync('public/built.json', JSON.stringify({ isNumber: require('is-number')(5), nodeOptions: process.env.NODE_OPTIONS }));
        """;

    [Fact]
    public async Task Deploy_ExpressAppWithEnginesAndPostbuild_RunsAsHerokuAndReusesNodeModulesNextBuild()
    {
        var api = fixture.Api;
        await using var app = await fixture.CreateAppAsync();
        var lockfile = await NpmLockfileAsync(ExpressPackage);

        var (first, firstOutput) = await api.BuildAsync(app.Key, archives.Serve(Express("hello", lockfile)), timeout: BuildTimeout);
        var (second, secondOutput) = await api.BuildAsync(app.Key, archives.Serve(Express("hello again", lockfile)), timeout: BuildTimeout);

        Assert.True(first.Status == "succeeded", firstOutput);
        Assert.Contains($"-----> Using node {BuildpackServerFixture.StandInNode} (engines.node: 16.x) and npm ", firstOutput);
        Assert.DoesNotContain("Warning", firstOutput);
        Assert.True(
            Order(firstOutput, "-----> Running heroku-prebuild", "-----> Installing dependencies (npm ci)", "-----> Building (npm run heroku-postbuild)", "-----> Caching node_modules", "-----> Pruning devDependencies"),
            firstOutput);
        Assert.DoesNotContain("npm run build", firstOutput);
        var entries = await fixture.Server.SlugEntriesAsync(api, first.Slug!.Id);
        Assert.True(entries.ContainsKey("./app/node_modules/express/package.json"));
        Assert.False(entries.ContainsKey("./app/node_modules/is-number/package.json"), "the devDependency is still in the slug");
        Assert.Contains("node_modules/.bin", entries["./app/.profile.d/nodejs.sh"].Text);

        Assert.True(second.Status == "succeeded", secondOutput);
        Assert.False(second.SlugReused);
        Assert.Contains("-----> Restoring node_modules from the cache (package-lock.json and the dependencies in package.json unchanged)", secondOutput);
        Assert.DoesNotContain("Installing dependencies", secondOutput);
        Assert.Contains("-----> Building (npm run heroku-postbuild)", secondOutput);
        Assert.Equal(
            string.Join('\n', "hello again", "express 4.21.2", $"node {BuildpackServerFixture.StandInNode}", "node_modules before install: false",
                "build heap: --max_old_space_size=2560", "is-number at build: true", "is-number now: pruned", "bin on PATH: true", "v2"),
            await app.ServesReleaseOfAsync(second, "hello again", BuildTimeout));
    }

    [Fact]
    public async Task Deploy_YarnAppWithEnginesTheServerLacks_InstallsWithYarnWarnsOnceAndStartsWithYarn()
    {
        var api = fixture.Api;
        await using var app = await fixture.CreateAppAsync();
        var defaultNode = (await TestTools.RunAsync("node", ["--version"], "/")).Trim().TrimStart('v');
        var url = archives.Serve(Archives.TarGz(
        [
            new ArchiveFile("package.json", """
                {
                  "name": "yarn-app",
                  "version": "1.0.0",
                  "private": true,
                  "engines": { "node": "14.x" },
                  "scripts": { "start": "node server.js", "build": "node -e \"require('fs').writeFileSync('built.txt', String(require('is-number')(1)))\"" },
                  "dependencies": { "ms": "2.1.3" },
                  "devDependencies": { "is-number": "7.0.0" }
                }
                """),
            new ArchiveFile("yarn.lock", YarnLock),
            new ArchiveFile("Procfile", "web: yarn start\n"),
            new ArchiveFile("server.js", """
                const fs = require('fs');
                let dev = 'pruned';
                try { require.resolve('is-number'); dev = 'present'; } catch {}
                require('http').createServer((q, r) => r.end(['yarn app', require('ms')(60000), 'built ' + fs.readFileSync('built.txt', 'utf8'), 'is-number ' + dev, process.env.SLIPWAY_RELEASE_VERSION].join(' ')))
                  .listen(process.env.PORT, process.env.HOST);
                """),
        ]));

        var (build, output) = await api.BuildAsync(app.Key, url, timeout: BuildTimeout);

        Assert.True(build.Status == "succeeded", output);
        var warning = Assert.Single(output.Split('\n'), line => line.Contains("Warning", StringComparison.Ordinal));
        Assert.Equal($" !     Warning: engines.node in package.json asks for node 14.x, which this server does not have (Slipway:Builds:NodeVersionsDir): using node {defaultNode}", warning);
        Assert.Contains($"-----> Using node {defaultNode} (engines.node: 14.x) and yarn 1.22.22", output);
        Assert.True(Order(output, "-----> Installing dependencies (yarn install --frozen-lockfile)", "-----> Building (yarn run build)", "-----> Pruning devDependencies"), output);
        Assert.DoesNotContain("npm ci", output);
        Assert.Equal(
            "yarn app 1m built true is-number pruned v1",
            await app.ServesReleaseOfAsync(build, "yarn app", BuildTimeout));
    }

    [Fact]
    public async Task Build_NpmConfigProductionFalse_KeepsDevDependencies()
    {
        var api = fixture.Api;
        await using var app = await fixture.CreateAppAsync();
        await app.SetConfigAsync(new Dictionary<string, string?> { ["NPM_CONFIG_PRODUCTION"] = "false" });
        var url = archives.Serve(Archives.TarGz(
        [
            new ArchiveFile("package.json", """{"name":"keep-dev","version":"1.0.0","private":true,"dependencies":{"ms":"2.1.3"},"devDependencies":{"is-number":"7.0.0"}}"""),
            new ArchiveFile("Procfile", "worker: node -e \"setInterval(() => {}, 1000)\"\n"),
        ]));

        var (build, output) = await api.BuildAsync(app.Key, url, timeout: BuildTimeout);

        Assert.True(build.Status == "succeeded", output);
        Assert.Contains("-----> Keeping devDependencies (NPM_CONFIG_PRODUCTION=false)", output);
        Assert.DoesNotContain("Pruning devDependencies", output);
        var entries = await fixture.Server.SlugEntriesAsync(api, build.Slug!.Id);
        Assert.True(entries.ContainsKey("./app/node_modules/is-number/package.json"));
    }

    private static byte[] Express(string greeting, string lockfile) => Archives.TarGz(
        [
            new ArchiveFile("package.json", ExpressPackage),
            new ArchiveFile("package-lock.json", lockfile),
            new ArchiveFile("build.js", ExpressBuild),
            new ArchiveFile("server.js", $$"""
                const fs = require('fs');
                const express = require('express');
                const built = JSON.parse(fs.readFileSync('public/built.json', 'utf8'));
                let dev = 'pruned';
                try { require.resolve('is-number'); dev = 'present'; } catch {}
                const app = express();
                app.get('/', (q, r) => r.type('text/plain').send([
                  '{{greeting}}',
                  'express ' + require('express/package.json').version,
                  process.env.SLIPWAY_TEST_TOOLCHAIN,
                  'node_modules before install: ' + fs.readFileSync('prebuild.txt', 'utf8'),
                  'build heap: ' + built.nodeOptions,
                  'is-number at build: ' + built.isNumber,
                  'is-number now: ' + dev,
                  'bin on PATH: ' + process.env.PATH.split(':').some(p => p.endsWith('/node_modules/.bin')),
                  process.env.SLIPWAY_RELEASE_VERSION,
                ].join('\n')));
                app.listen(process.env.PORT, process.env.HOST);
                """),
        ],
        folder: "express-app");

    /// <summary>The package-lock.json a developer would commit: npm resolves <paramref name="packageJson"/> against the registry.</summary>
    private static async Task<string> NpmLockfileAsync(string packageJson)
    {
        var dir = Directory.CreateTempSubdirectory("slipway-lock-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "package.json"), packageJson);
            await TestTools.RunAsync("npm", ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund", "--engine-strict=false"], dir.FullName);
            return await File.ReadAllTextAsync(Path.Combine(dir.FullName, "package-lock.json"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Whether each of <paramref name="headings"/> is in <paramref name="output"/>, in that order.</summary>
    private static bool Order(string output, params string[] headings)
    {
        var at = 0;
        foreach (var heading in headings)
        {
            at = output.IndexOf(heading, at, StringComparison.Ordinal);
            if (at < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>What <c>yarn install</c> (1.22) wrote for ms 2.1.3 and is-number 7.0.0.</summary>
    private const string YarnLock = """
        # THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
        # yarn lockfile v1


        is-number@7.0.0:
          version "7.0.0"
          resolved "https://registry.yarnpkg.com/is-number/-/is-number-7.0.0.tgz#7535345b896734d5f80c4d06c50955527a14f12b"
          integrity sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng==

        ms@2.1.3:
          version "2.1.3"
          resolved "https://registry.yarnpkg.com/ms/-/ms-2.1.3.tgz#574c8138ce1d2b5861f0b44579dbadd60c6615b2"
          integrity sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==

        """;
}
