using System.CommandLine;
using System.Text.Json.Nodes;
using Slipway.Cli.Output;
using Slipway.Contracts;

namespace Slipway.Cli.Commands;

/// <summary><c>aka apps [-s SPACE] [--json]</c>: one <c>⬢ key</c> line per app.</summary>
public sealed class AppsCommand : AkaCommand
{
    private readonly Option<string> _space = CommonOptions.Space(required: false);
    private readonly Option<bool> _json = CommonOptions.Json();

    public AppsCommand(CliContext context, CliOutput output)
        : base("apps", "List the apps you can see", context, output)
    {
        Options.Add(_space);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken ct)
    {
        using var api = Connect();
        var apps = await api.ListAppsAsync(ct);
        var space = parseResult.GetValue(_space);
        bool InSpace(AppResponse app) => space is null
            || string.Equals(app.Space.Name, space, StringComparison.OrdinalIgnoreCase)
            || string.Equals(app.Space.Id.ToString(), space, StringComparison.OrdinalIgnoreCase);

        if (parseResult.GetValue(_json))
        {
            // Filter the API's own objects, so --json keeps every field the server sent.
            var nodes = JsonNode.Parse(apps.Json)!.AsArray();
            Output.Json(new JsonArray([.. nodes.Zip(apps.Value).Where(p => InSpace(p.Second)).Select(p => p.First!.DeepClone())]));
            return 0;
        }

        foreach (var app in apps.Value.Where(InSpace))
        {
            Output.Line($"⬢ {app.Name}");
        }

        return 0;
    }
}
