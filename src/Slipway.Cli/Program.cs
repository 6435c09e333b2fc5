using System.Text;
using Slipway.Cli;

// "✓", "•" and "⬢" must reach a terminal or a pipe as UTF-8 whatever the locale says.
Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

var apiUrl = Environment.GetEnvironmentVariable("SLIPWAY_API_URL") is { Length: > 0 } url ? url : CliContext.DefaultApiUrl;
if (!Uri.TryCreate(apiUrl, UriKind.Absolute, out var apiUri) || apiUri.Scheme is not ("http" or "https"))
{
    Console.Error.WriteLine($"! SLIPWAY_API_URL must be an http(s) URL, not '{apiUrl}'.");
    return 1;
}

var context = new CliContext
{
    ApiUrl = apiUri,
    EnvironmentToken = Environment.GetEnvironmentVariable("SLIPWAY_API_TOKEN"),
    NetrcPath = Environment.GetEnvironmentVariable("NETRC") is { Length: > 0 } netrc
        ? netrc
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".netrc"),
    Clock = TimeProvider.System,
    In = Console.In,
    Out = Console.Out,
    Error = Console.Error,
    IsTerminal = !Console.IsOutputRedirected,
    InputIsTerminal = !Console.IsInputRedirected,
};

return await AkaCli.Build(context).Parse(args).InvokeAsync(context);
