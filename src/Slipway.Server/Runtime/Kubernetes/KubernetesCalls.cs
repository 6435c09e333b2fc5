using System.Net;
using System.Text.Json;
using k8s.Autorest;
using k8s.Models;

namespace Slipway.Server.Runtime.Kubernetes;

/// <summary>The few ways the runtime's parts call the API server: a read where absence is an answer, a delete where absence is success, a merge patch.</summary>
internal static class KubernetesCalls
{
    public static async Task<T?> ReadOrNullAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public static async Task DeleteQuietlyAsync<T>(Func<Task<T>> delete)
    {
        try
        {
            await delete();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    public static V1Patch MergePatch(object patch) => new(JsonSerializer.Serialize(patch), V1Patch.PatchType.MergePatch);

    /// <summary>Deletes an owner (Deployment, Job) and lets the garbage collector remove what it owns.</summary>
    public static V1DeleteOptions InBackground => new() { PropagationPolicy = "Background" };
}
