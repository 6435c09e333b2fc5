using Npgsql;

namespace Slipway.Server.Tests.Addons;

/// <summary>Reads the <c>DATABASE_URL</c> an add-on gave an app.</summary>
public static class DatabaseUrl
{
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
