using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Builds;
using Slipway.Server.Runtime;

namespace Slipway.Server.Apps;

/// <summary>
/// What every app and space of this server shares, as Heroku and Akkeris clients read it: the one
/// organization (<c>default</c>), the region (where apps run: the runtime's kind, <c>local</c> or
/// <c>kubernetes</c>), the stack buildpacks build on (<c>Slipway:Builds:Stack</c>) and the one
/// process size. Their ids are derived from their names, so they stay the same on every server.
/// </summary>
public sealed class Platform(IOptions<RuntimeOptions> runtime, IOptions<BuildOptions> builds)
{
    public const string DefaultOrganization = "default";

    /// <summary>The size every process runs at: Slipway has no dyno sizes to choose from.</summary>
    public const string Size = "standard";

    public static NamedRef Organization { get; } = new(IdOf("organization", DefaultOrganization), DefaultOrganization);

    public NamedRef Region => new(IdOf("region", runtime.Value.Kind), runtime.Value.Kind);

    public NamedRef Stack => new(IdOf("stack", builds.Value.Stack), builds.Value.Stack);

    /// <summary>Whether <paramref name="reference"/> (a name or an id) names the organization.</summary>
    public static bool IsOrganization(string reference) =>
        string.Equals(reference.Trim(), Organization.Name, StringComparison.OrdinalIgnoreCase)
        || (Guid.TryParse(reference, out var id) && id == Organization.Id);

    /// <summary>Whether <paramref name="stack"/> (a name or an id) names the stack.</summary>
    public bool IsStack(string stack) =>
        string.Equals(stack.Trim(), Stack.Name, StringComparison.OrdinalIgnoreCase)
        || (Guid.TryParse(stack, out var id) && id == Stack.Id);

    /// <summary>Whether <paramref name="size"/> is the one size there is, in any case (Heroku's CLI may send <c>Standard</c>).</summary>
    public static bool IsSize(string size) => string.Equals(size.Trim(), Size, StringComparison.OrdinalIgnoreCase);

    private static Guid IdOf(string kind, string name) => new(SHA256.HashData(Encoding.UTF8.GetBytes($"slipway:{kind}:{name}")).AsSpan(0, 16));
}
