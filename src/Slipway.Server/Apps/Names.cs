using System.Text.RegularExpressions;

namespace Slipway.Server.Apps;

/// <summary>
/// The naming rules of DESIGN.md. App names have no dashes so that the key <c>name-space</c>
/// splits unambiguously at its first dash.
/// </summary>
public static partial class Names
{
    public const int MaxAppName = 30;

    public const int MaxSpaceName = 63;

    /// <summary>The longest app or space description.</summary>
    public const int MaxDescription = 1024;

    /// <summary>Why <paramref name="name"/> cannot be an app name, or null when it can.</summary>
    public static string? AppNameProblem(string? name) => name switch
    {
        null or "" => "App name is required.",
        { Length: > MaxAppName } => $"App name '{name}' is longer than {MaxAppName} characters.",
        _ when !AppName().IsMatch(name) => $"App name '{name}' is not valid: use only lowercase letters and digits (^[a-z0-9]+$); no dashes, since the app key is name-space.",
        _ => null,
    };

    /// <summary>Why <paramref name="name"/> cannot be a space name, or null when it can.</summary>
    public static string? SpaceNameProblem(string? name) => name switch
    {
        null or "" => "Space name is required.",
        { Length: > MaxSpaceName } => $"Space name '{name}' is longer than {MaxSpaceName} characters.",
        _ when !SpaceName().IsMatch(name) => $"Space name '{name}' is not valid: use lowercase letters, digits and dashes, starting with a letter or digit (^[a-z0-9][a-z0-9-]*$).",
        _ => null,
    };

    /// <summary>Why <paramref name="name"/> cannot be a pipeline name, or null when it can (the rule of space names).</summary>
    public static string? PipelineNameProblem(string? name) => name switch
    {
        null or "" => "Pipeline name is required.",
        { Length: > MaxSpaceName } => $"Pipeline name '{name}' is longer than {MaxSpaceName} characters.",
        _ when !SpaceName().IsMatch(name) => $"Pipeline name '{name}' is not valid: use lowercase letters, digits and dashes, starting with a letter or digit (^[a-z0-9][a-z0-9-]*$).",
        _ => null,
    };

    [GeneratedRegex("^[a-z0-9]+$")]
    private static partial Regex AppName();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex SpaceName();
}
