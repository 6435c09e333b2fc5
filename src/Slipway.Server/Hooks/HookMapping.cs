using Slipway.Contracts;
using Slipway.Server.Apps;

namespace Slipway.Server.Hooks;

/// <summary>How hooks and their results read in the API: never the secret, never a password in a URL.</summary>
public static class HookMapping
{
    public static HookResponse ToResponse(App app, HookView view) => new(
        view.Hook.Id,
        new NamedRef(app.Id, app.Key),
        HookUrl.Show(view.Hook.Url),
        view.Hook.Events,
        view.Hook.Active,
        view.Hook.CreatedAt,
        view.Hook.UpdatedAt,
        view.LastAttempt is { } last ? ToResponse(view.Hook, last) : null);

    public static HookResultResponse ToResponse(AppHook hook, HookAttempt attempt)
    {
        var delivery = attempt.Delivery;
        var url = HookUrl.Show(delivery.Url);
        return new HookResultResponse(
            attempt.Id,
            delivery.Id,
            delivery.Event,
            attempt.Number,
            attempt.CreatedAt,
            attempt.DurationMs,
            delivery.State.ToString().ToLowerInvariant(),
            attempt.Error,
            new HookSummary(hook.Id, HookUrl.Show(hook.Url), hook.Events),
            new HookRequestSent("POST", url, HookDeliverer.HeadersOf(delivery), delivery.Body),
            new HookResponseReceived(attempt.StatusCode, attempt.ResponseHeaders));
    }
}
