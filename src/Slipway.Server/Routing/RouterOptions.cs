using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Slipway.Server.Routing;

/// <summary>The <c>Slipway:Router</c> section: where the built-in router listens and which host names it serves.</summary>
public sealed class RouterOptions : IValidatableObject
{
    public const string Section = "Slipway:Router";

    /// <summary>The router's port; 0 picks a free one (see <see cref="RouterHost.Port"/>).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 5080;

    /// <summary>The address the router listens on.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>Apps answer at <c>&lt;app&gt;-&lt;space&gt;.&lt;Domain&gt;</c>; <c>.localhost</c> always works too.</summary>
    [Required]
    [RegularExpression(@"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$", ErrorMessage = "Slipway:Router:Domain must be a lowercase DNS name such as 'localhost' or 'apps.example.com'.")]
    public string Domain { get; set; } = "localhost";

    /// <summary>
    /// Several servers: the longest a router goes without reading the web processes other servers run
    /// (on PostgreSQL a change is also announced at once with NOTIFY; on SQLite this poll is all there is).
    /// </summary>
    [Range(0.1, 3600)]
    public double RoutePollSeconds { get; set; } = 2;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(Address, out _))
        {
            yield return new ValidationResult($"Slipway:Router:Address '{Address}' is not an IP address.", [nameof(Address)]);
        }
    }
}
