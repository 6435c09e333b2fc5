namespace Slipway.Server.Ui;

/// <summary>
/// The dashboard's fixed addresses that code (not a page's <c>@page</c> line) needs. Pages link
/// to each other through the page tag helpers, so their routes live in their <c>@page</c> lines only.
/// </summary>
public static class UiRoutes
{
    public const string Root = "/ui";

    public const string SignIn = "/ui/sign-in";

    public const string Apps = "/ui/apps";

    public const string Assets = "/ui/assets";

    /// <summary>Where Scalar's API reference is mapped; the page itself is <see cref="ApiReferencePage"/>.</summary>
    public const string ApiReference = "/ui/api-reference";

    public const string ApiReferencePage = ApiReference + "/";

    /// <summary>The server-sent events of one app page (<see cref="LiveUpdates"/>).</summary>
    public const string AppEvents = "/ui/apps/{app}/events";

    /// <summary>The log tail of one app page (<see cref="LiveLogs"/>).</summary>
    public const string AppLogs = "/ui/apps/{app}/logs";

    public const string OpenApiDocument = "/openapi/v1.json";

    /// <summary>Sent by the dashboard's script when it wants a page's content without the layout (dialogs).</summary>
    public const string FragmentHeader = "X-Slipway-Fragment";

    /// <summary>Where the script should go after a change made from a dialog succeeded.</summary>
    public const string LocationHeader = "X-Slipway-Location";

    public static string AppEventsOf(string appKey) => $"/ui/apps/{Uri.EscapeDataString(appKey)}/events";

    public static string AppLogsOf(string appKey) => $"/ui/apps/{Uri.EscapeDataString(appKey)}/logs";
}
