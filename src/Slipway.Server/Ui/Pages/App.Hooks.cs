using Slipway.Contracts;

namespace Slipway.Server.Ui.Pages;

/// <summary>The app page's webhooks: each hook (its URL without a password, its events, whether it is active) and its last deliveries.</summary>
public sealed partial class AppModel
{
    public const int HookAttemptsShown = 5;

    public IReadOnlyList<(HookResponse Hook, List<HookResultResponse> Attempts)> Hooks { get; private set; } = [];

    public static (string Kind, string Word) HookBadge(HookResponse hook) => hook.Active ? ("ok", "Active") : ("neutral", "Inactive");

    /// <summary>The badge of an attempt: its status code (or "no answer"), green when 2xx.</summary>
    public static (string Tone, string Text) AttemptBadge(HookResultResponse attempt) => attempt.Response.Code switch
    {
        >= 200 and < 300 and var code => ("ok", code.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        { } code => ("failed", code.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        null => ("failed", "no answer"),
    };
}
