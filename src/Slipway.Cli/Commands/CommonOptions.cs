using System.CommandLine;

namespace Slipway.Cli.Commands;

/// <summary>The options many verbs take, spelled the same everywhere (Heroku's and Akkeris's flags).</summary>
public static class CommonOptions
{
    public static Option<string> App() => new("--app", "-a")
    {
        Description = "The app: its key (name-space) or id",
        Required = true,
    };

    public static Option<string> Space(bool required) => new("--space", "-s")
    {
        Description = "The space: its name or id",
        Required = required,
    };

    /// <summary>Whose tokens: yours unless an admin names another user.</summary>
    public static Option<string> User() => new("--user", "-u")
    {
        Description = "The user (email or id) whose tokens these are; admins only, yours by default",
        DefaultValueFactory = _ => "me",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print the API's JSON instead of text",
    };
}
