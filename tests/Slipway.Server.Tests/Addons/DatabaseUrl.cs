using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Slipway.Contracts;

namespace Slipway.Server.Tests.Addons;

/// <summary>The add-on calls of the API, over real HTTP, for <see cref="Api"/>.</summary>
public static class AddonCalls
{
    /// <summary>How long a test waits for background work before it fails; it stops waiting as soon as the work is done.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public static Task<HttpResponseMessage> PostAddonAsync(this Api api, string app, string plan, string? name = null) =>
        api.Http.PostAsJsonAsync($"/apps/{app}/addons", new CreateAddonRequest(plan, name), SlipwayJson.Options);

    /// <summary>Creates an add-on and waits until it is attached, whether the API answered 201 or 202.</summary>
    public static async Task<AddonResponse> CreateAddonAsync(this Api api, string app, string plan, string? name = null)
    {
        var response = await api.PostAddonAsync(app, plan, name);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            var pending = await Api.ReadAsync<AddonResponse>(response, HttpStatusCode.Accepted);
            var done = await api.WaitForAddonAsync(app, pending.Id, a => a?.State != "provisioning");
            Assert.Equal("provisioned", done?.State);
            return done!;
        }

        var created = await Api.ReadAsync<AddonResponse>(response, HttpStatusCode.Created);
        Assert.Equal("provisioned", created.State);
        return created;
    }

    public static Task<HttpResponseMessage> DeleteAddonAsync(this Api api, string app, string addon) =>
        api.Http.DeleteAsync($"/apps/{app}/addons/{addon}");

    /// <summary>The add-on, or null once it is gone (404).</summary>
    public static async Task<AddonResponse?> GetAddonAsync(this Api api, string app, string addon)
    {
        var response = await api.Http.GetAsync($"/apps/{app}/addons/{addon}");
        return response.StatusCode == HttpStatusCode.NotFound ? null : await Api.ReadAsync<AddonResponse>(response, HttpStatusCode.OK);
    }

    public static async Task<List<AddonResponse>> ListAddonsAsync(this Api api, string app) =>
        await Api.ReadAsync<List<AddonResponse>>(await api.Http.GetAsync($"/apps/{app}/addons"), HttpStatusCode.OK);

    /// <summary>Polls the add-on until <paramref name="done"/> holds (null: gone), or fails at the deadline.</summary>
    public static async Task<AddonResponse?> WaitForAddonAsync(this Api api, string app, Guid id, Func<AddonResponse?, bool> done)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var addon = await api.GetAddonAsync(app, id.ToString());
            if (done(addon))
            {
                return addon;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The add-on was still {addon?.State ?? "gone"} after {Deadline}.");
            await Task.Delay(50);
        }
    }

    /// <summary>A <c>postgres://user:pass@host:port/db</c> URL as an Npgsql connection string.</summary>
    public static string ConnectionStringOf(string databaseUrl)
    {
        var url = new Uri(databaseUrl);
        Assert.Equal("postgres", url.Scheme);
        var user = url.UserInfo.Split(':', 2);
        return new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.Port,
            Username = Uri.UnescapeDataString(user[0]),
            Password = Uri.UnescapeDataString(user[1]),
            Database = url.AbsolutePath.TrimStart('/'),
            Pooling = false,
        }.ConnectionString;
    }
}
