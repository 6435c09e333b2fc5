using Microsoft.Extensions.Options;
using Slipway.Contracts;
using Slipway.Server.Http;
using Slipway.Server.Runtime;

namespace Slipway.Server.Apps;

/// <summary>
/// The API's view of an app (<see cref="AppResponse"/>), for the API and the dashboard alike: its
/// own facts, the <see cref="Platform"/>'s, where it answers (the runtime's <c>web_url</c>) and its
/// git remote (<c>&lt;public address&gt;/git/&lt;app&gt;.git</c>).
/// </summary>
public sealed class AppMapping(Platform platform, IAppRuntime runtime, IOptions<SlipwayOptions> options)
{
    /// <summary>Where every app's git remote lives, below the server's public address.</summary>
    public const string GitPath = "/git";

    /// <summary>The app's git remote: push to it to deploy (<c>git push</c>), clone or fetch from it.</summary>
    public string GitUrlOf(App app, HttpRequest request) => $"{PublicAddress.Of(request, options.Value.PublicUrl)}{GitPath}/{app.Key}.git";

    public AppResponse ToResponse(AppSummary summary, HttpRequest request)
    {
        var (app, owner, servingVersion, _, servingAt, slugSize) = summary;
        var stack = platform.Stack;
        return new AppResponse(
            app.Id,
            app.Key,
            app.Name,
            new NamedRef(app.Space.Id, app.Space.Name),
            runtime.WebUrlOf(app.Key),
            servingVersion,
            app.CreatedAt,
            app.UpdatedAt,
            new UserRef(owner.Id, owner.Email),
            Platform.Organization,
            platform.Region,
            stack,
            BuildStack: stack,
            GitUrl: GitUrlOf(app, request),
            GitBranch: null,
            Image: null,
            RepoSize: null,
            SlugSize: slugSize,
            ReleasedAt: servingAt,
            app.Description,
            ArchivedAt: null,
            Acm: false,
            CreateStatus: "complete",
            Preview: false,
            Maintenance: false);
    }
}
