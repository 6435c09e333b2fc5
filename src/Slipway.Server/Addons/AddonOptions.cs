using Microsoft.Extensions.Options;

namespace Slipway.Server.Addons;

/// <summary>
/// The <c>Slipway:Addons</c> section: extra brokers, the built-in brokers' settings, and how
/// long Slipway waits for brokers. Every key has a working default.
/// </summary>
public sealed class AddonOptions
{
    public const string Section = "Slipway:Addons";

    /// <summary>Brokers by name: <c>Slipway:Addons:Brokers:&lt;name&gt;:Url/Username/Password</c>.</summary>
    public Dictionary<string, BrokerOptions> Brokers { get; set; } = [];

    public PostgresBrokerOptions Postgres { get; set; } = new();

    public FilestoreBrokerOptions Filestore { get; set; } = new();

    /// <summary>How long one HTTP call to a broker may take (OSB asks platforms to wait at least 60 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an asynchronous provision or deprovision may stay in progress, unless the plan says less.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The longest pause between two <c>last_operation</c> polls (a broker's <c>Retry-After</c> wins).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a create or destroy request waits for the broker before answering 202 and finishing in the background.</summary>
    public TimeSpan RequestWait { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How many add-on operations (provision, deprovision) run at once.</summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>How many add-on operations may wait to run before a request has to wait too.</summary>
    public int QueueLimit { get; set; } = 1000;

    /// <summary>How long a broker's catalog is trusted before it is fetched again.</summary>
    public TimeSpan CatalogTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Where Slipway reaches its own built-in brokers; by default the first address the server
    /// listens on (a wildcard host becomes the loopback address).
    /// </summary>
    public Uri? SelfUrl { get; set; }

    /// <summary>The built-in brokers' basic-auth password; a random one per process when not set.</summary>
    public string? BuiltInPassword { get; set; }
}

public sealed class BrokerOptions
{
    public Uri? Url { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }
}

public sealed class PostgresBrokerOptions
{
    /// <summary>
    /// A connection string to a PostgreSQL server as a role that may create databases and roles.
    /// The <c>postgresql</c> add-on service is offered only when this is set.
    /// </summary>
    public string? AdminConnectionString { get; set; }
}

public sealed class FilestoreBrokerOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Where the add-ons' folders live; <c>&lt;DataDir&gt;/addons/filestore</c> by default.</summary>
    public string? Root { get; set; }
}

/// <summary>Checks <see cref="AddonOptions"/> at start-up, naming the key that is wrong.</summary>
public sealed class AddonOptionsValidator : IValidateOptions<AddonOptions>
{
    public ValidateOptionsResult Validate(string? name, AddonOptions options)
    {
        var failures = new List<string>();
        foreach (var (broker, settings) in options.Brokers)
        {
            var key = $"{AddonOptions.Section}:Brokers:{broker}";
            if (BrokerNames.Problem(broker) is { } problem)
            {
                failures.Add($"{key}: {problem}");
            }
            else if (BuiltIn.BuiltInBrokers.IsBuiltInName(broker))
            {
                failures.Add($"{key}: '{broker}' is the name of a built-in broker.");
            }

            if (settings.Url is not { IsAbsoluteUri: true, Scheme: "http" or "https" })
            {
                failures.Add($"{key}:Url must be an absolute http(s) URL.");
            }
        }

        foreach (var (key, value) in new[]
        {
            ("RequestTimeout", options.RequestTimeout),
            ("OperationTimeout", options.OperationTimeout),
            ("PollInterval", options.PollInterval),
            ("CatalogTtl", options.CatalogTtl),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{AddonOptions.Section}:{key} must be positive.");
            }
        }

        foreach (var (key, value, most) in new[] { ("Concurrency", options.Concurrency, 256), ("QueueLimit", options.QueueLimit, 100_000) })
        {
            if (value < 1 || value > most)
            {
                failures.Add($"{AddonOptions.Section}:{key} must be between 1 and {most}.");
            }
        }

        if (options.RequestWait < TimeSpan.Zero)
        {
            failures.Add($"{AddonOptions.Section}:RequestWait must not be negative.");
        }

        if (options.SelfUrl is { } self && self is not { IsAbsoluteUri: true, Scheme: "http" or "https" })
        {
            failures.Add($"{AddonOptions.Section}:SelfUrl must be an absolute http(s) URL.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
