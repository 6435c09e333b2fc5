using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Slipway.Server.Data;

namespace Slipway.Server.Addons;

/// <summary>
/// How a binding's credentials become config vars, and the one rule between add-on vars and
/// everything else: no var is set by two owners (the user and an add-on, or two add-ons).
/// </summary>
public static class AddonConfig
{
    /// <summary>
    /// Each credentials key upper-cased (<c>database_url</c> → <c>DATABASE_URL</c>), with any
    /// character a config var name cannot hold made <c>_</c>. Strings are taken as they are;
    /// numbers, booleans, objects and arrays as their JSON text.
    /// </summary>
    public static Dictionary<string, string> FromCredentials(IReadOnlyDictionary<string, JsonElement> credentials)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in credentials)
        {
            if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                continue;
            }

            vars[NameOf(key)] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        }

        return vars;
    }

    public static string NameOf(string credentialsKey)
    {
        var name = new StringBuilder(credentialsKey.Length + 1);
        foreach (var c in credentialsKey.ToUpperInvariant())
        {
            name.Append(c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' ? c : '_');
        }

        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            name.Insert(0, '_');
        }

        return name.ToString();
    }

    /// <summary>
    /// Why an add-on giving <paramref name="vars"/> cannot be attached next to the user's config
    /// and the add-ons attached now, or null when it can.
    /// </summary>
    public static string? AttachClash(string addonName, IEnumerable<string> vars, IReadOnlyDictionary<string, string> userConfig, IEnumerable<AddonAttachment> attached, string appKey)
    {
        var attachedList = attached.ToList();
        foreach (var name in vars)
        {
            if (userConfig.ContainsKey(name))
            {
                return $"{appKey} has a config var {name} of its own, which the {addonName} add-on would shadow. Unset it first (aka config:unset {name} -a {appKey}).";
            }

            if (attachedList.FirstOrDefault(a => a.ConfigVars.ContainsKey(name)) is { } owner)
            {
                return $"The {owner.Name} add-on of {appKey} already sets {name}, which the {addonName} add-on would shadow.";
            }
        }

        return null;
    }

    /// <summary>Why a user change of <paramref name="names"/> would touch an add-on's var, or null when it would not.</summary>
    public static string? UserChangeClash(IEnumerable<string> names, IEnumerable<AddonAttachment> attached)
    {
        var attachedList = attached.ToList();
        foreach (var name in names)
        {
            if (attachedList.FirstOrDefault(a => a.ConfigVars.ContainsKey(name)) is { } owner)
            {
                return $"{name} is set by the {owner.Name} add-on; a config var of your own may not shadow or remove it. Destroy the add-on first (aka addons:destroy {owner.Name}).";
            }
        }

        return null;
    }
}

/// <summary>The derived facts about an app's add-ons, each computed one way.</summary>
public static class AddonQueries
{
    /// <summary>The add-ons attached now, oldest first: what every new release carries unless it attaches or detaches one.</summary>
    public static async Task<List<AddonAttachment>> AttachedAsync(SlipwayDb db, Guid appId, CancellationToken ct)
    {
        var rows = await db.Addons.AsNoTracking()
            .Where(a => a.AppId == appId && a.State == AddonState.Provisioned)
            .OrderBy(a => a.CreatedAt)
            .ToListAsync(ct);
        return [.. rows.Select(a => a.ToAttachment())];
    }

    /// <summary>An add-on of the app by id or name.</summary>
    public static IQueryable<Addon> ByReference(SlipwayDb db, Guid appId, string reference) =>
        Guid.TryParse(reference, out var id)
            ? db.Addons.Where(a => a.AppId == appId && a.Id == id)
            : db.Addons.Where(a => a.AppId == appId && a.Name == reference.ToLowerInvariant());
}
