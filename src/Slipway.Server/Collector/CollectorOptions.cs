using System.ComponentModel.DataAnnotations;

namespace Slipway.Server.Collector;

/// <summary>The <c>Slipway:Collector</c> section: how often the collector looks for slugs and sources nothing references, and how old they must be.</summary>
public sealed class CollectorOptions : IValidatableObject
{
    public const string Section = "Slipway:Collector";

    /// <summary>
    /// How long a slug (row or bytes) or a source upload must have gone unreferenced and unwritten before it
    /// is removed: the time a release or build being made gets to claim what it is about to use. Default 1 day.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the collector runs (first once the server has started). Default 1 hour.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (GracePeriod < TimeSpan.FromMinutes(1))
        {
            yield return new ValidationResult($"{Section}:GracePeriod must be at least a minute (a release being made must get time to claim its slug).", [nameof(GracePeriod)]);
        }

        if (Interval < TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult($"{Section}:Interval must be at least a second.", [nameof(Interval)]);
        }
    }
}
