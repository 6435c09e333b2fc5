using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Slipway.Server.Addons.BuiltIn;

/// <summary>
/// The <c>filestore</c> service: each instance is a folder of its own under
/// <c>Slipway:Addons:Filestore:Root</c> (by default <c>&lt;DataDir&gt;/addons/filestore</c>). It
/// belongs to the add-on, not to a release, so it outlives deploys and rollbacks; binding answers
/// <c>filestore_path</c>.
/// </summary>
public sealed class FilestoreBroker(IOptions<AddonOptions> options, IOptions<SlipwayOptions> slipway) : IBuiltInBroker
{
    public const string BrokerName = "filestore";

    private static readonly OsbService Offering = new(
        "8d0b3f7c-2a49-4b1e-9c57-3e6a0f4d9b11",
        "filestore",
        "A folder of the app's own on the Slipway host, kept across releases and rollbacks.",
        Bindable: true,
        [new OsbPlan("8d0b3f7c-2a49-4b1e-9c57-3e6a0f4d9b12", "standard", "A folder on the Slipway host's disk.", Free: true)],
        new Dictionary<string, JsonElement>
        {
            ["displayName"] = JsonSerializer.SerializeToElement("File store"),
            [OsbService.ConfigVarsMetadata] = JsonSerializer.SerializeToElement(new[] { "FILESTORE_PATH" }),
        });

    public string Name => BrokerName;

    public OsbService Service => Offering;

    public string Root => options.Value.Filestore.Root is { Length: > 0 } root
        ? Path.GetFullPath(root)
        : Path.Combine(slipway.Value.FullDataDir, "addons", "filestore");

    public string? MissingConfiguration => options.Value.Filestore.Enabled
        ? null
        : $"The filestore broker is turned off ({AddonOptions.Section}:Filestore:Enabled is false).";

    public Task<bool> ProvisionAsync(Guid instanceId, CancellationToken ct)
    {
        var folder = FolderOf(instanceId);
        if (Directory.Exists(folder))
        {
            return Task.FromResult(false);
        }

        Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return Task.FromResult(true);
    }

    public Task<bool> ExistsAsync(Guid instanceId, CancellationToken ct) => Task.FromResult(Directory.Exists(FolderOf(instanceId)));

    public Task<Dictionary<string, string>> BindAsync(Guid instanceId, Guid bindingId, CancellationToken ct) =>
        Task.FromResult(new Dictionary<string, string> { ["filestore_path"] = FolderOf(instanceId) });

    public Task UnbindAsync(Guid instanceId, Guid bindingId, CancellationToken ct) => Task.CompletedTask;

    public Task<bool> DeprovisionAsync(Guid instanceId, CancellationToken ct)
    {
        var folder = FolderOf(instanceId);
        if (!Directory.Exists(folder))
        {
            return Task.FromResult(false);
        }

        Directory.Delete(folder, recursive: true);
        return Task.FromResult(true);
    }

    public string FolderOf(Guid instanceId) => Path.Combine(Root, instanceId.ToString("N"));
}
