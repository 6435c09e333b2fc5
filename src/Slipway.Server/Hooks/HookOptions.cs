using System.ComponentModel.DataAnnotations;

namespace Slipway.Server.Hooks;

/// <summary>The <c>Slipway:Hooks</c> section: how webhook deliveries are sent and retried.</summary>
public sealed class HookOptions : IValidatableObject
{
    public const string Section = "Slipway:Hooks";

    /// <summary>The longest one delivery may take, connecting included; a receiver slower than that counts as failed.</summary>
    [Range(0.05, 300)]
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>The wait before the first retry; each further retry waits twice as long, up to <see cref="MaxRetrySeconds"/>.</summary>
    [Range(0.01, 86_400)]
    public double FirstRetrySeconds { get; set; } = 10;

    [Range(0.01, 86_400)]
    public double MaxRetrySeconds { get; set; } = 900;

    /// <summary>How long after the event it is still retried; a delivery still failing then is given up.</summary>
    [Range(0, 30 * 86_400)]
    public double RetryForSeconds { get; set; } = 86_400;

    /// <summary>How many deliveries this server sends at once: a receiver that hangs holds one of them, never the others.</summary>
    [Range(1, 1024)]
    public int Concurrency { get; set; } = 16;

    /// <summary>How often the outbox is looked at for due deliveries (events raised on this server wake it at once).</summary>
    [Range(0.01, 3600)]
    public double PollSeconds { get; set; } = 1;

    /// <summary>How long a delivery that ended (delivered or given up) and its attempts are kept for <c>results</c>.</summary>
    [Range(0.0001, 3650)]
    public double KeepDays { get; set; } = 7;

    public TimeSpan Keep => TimeSpan.FromDays(KeepDays);

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    public TimeSpan RetryFor => TimeSpan.FromSeconds(RetryForSeconds);

    public TimeSpan Poll => TimeSpan.FromSeconds(PollSeconds);

    /// <summary>The wait after failed attempt number <paramref name="attempt"/> (1 for the first).</summary>
    public TimeSpan BackoffAfter(int attempt) =>
        TimeSpan.FromSeconds(Math.Min(MaxRetrySeconds, FirstRetrySeconds * Math.Pow(2, Math.Min(attempt - 1, 30))));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxRetrySeconds < FirstRetrySeconds)
        {
            yield return new ValidationResult($"{Section}:MaxRetrySeconds ({MaxRetrySeconds}) must not be less than {Section}:FirstRetrySeconds ({FirstRetrySeconds}).", [nameof(MaxRetrySeconds)]);
        }
    }
}
