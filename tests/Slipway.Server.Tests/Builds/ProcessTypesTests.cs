using Slipway.Server.Builds;

namespace Slipway.Server.Tests.Builds;

public sealed class ProcessTypesTests
{
    [Fact]
    public void ParseProcfile_CommentsBlanksAndBadLines_KeepsOnlyTypes()
    {
        var text = "# the app\nweb: python3 -m http.server $PORT\n\n  worker:   node worker.js --queue=a:b  \nnot a process line\nrelease: ./migrate\r\nweb-2: echo 'a: b' # not a comment in a Procfile\n";

        var types = ProcessTypes.ParseProcfile(text, out var ignored);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["web"] = "python3 -m http.server $PORT",
                ["worker"] = "node worker.js --queue=a:b",
                ["release"] = "./migrate",
                ["web-2"] = "echo 'a: b' # not a comment in a Procfile",
            },
            types);
        Assert.Equal(["line 5: not a process line"], ignored);
    }

    [Fact]
    public void ParseReleaseYaml_DefaultProcessTypes_ReadsBlockMappingWithQuotes()
    {
        var yaml = "---\naddons: []\nconfig_vars:\n  A: b\ndefault_process_types:\n  web: npm start\n  worker: \"node w.js --name \\\"x\\\"\"\n  clock: 'ruby clock.rb # it''s fine'\n  # a comment\n  other: run.sh # trailing comment\nextra: true\n";

        var types = ProcessTypes.ParseReleaseYaml(yaml);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["web"] = "npm start",
                ["worker"] = "node w.js --name \"x\"",
                ["clock"] = "ruby clock.rb # it's fine",
                ["other"] = "run.sh",
            },
            types);
    }

    [Theory]
    [InlineData("---\ndefault_process_types: {}\n")]
    [InlineData("---\naddons: []\n")]
    [InlineData("")]
    public void ParseReleaseYaml_NoTypes_IsEmpty(string yaml) => Assert.Empty(ProcessTypes.ParseReleaseYaml(yaml));

    [Fact]
    public void ParseReleaseYaml_FlowMapping_IsRead() =>
        Assert.Equal(new Dictionary<string, string> { ["web"] = "npm start" }, ProcessTypes.ParseReleaseYaml("default_process_types: {web: npm start}\n"));

    [Fact]
    public void Merge_ProcfileAndDefaults_ProcfileWinsPerType()
    {
        var merged = ProcessTypes.Merge(
            new Dictionary<string, string> { ["web"] = "npm start", ["worker"] = "node w.js" },
            new Dictionary<string, string> { ["web"] = "node server.js" });

        Assert.Equal(new Dictionary<string, string> { ["web"] = "node server.js", ["worker"] = "node w.js" }, merged);
    }
}
