namespace Slipway.EndToEnd.Tests;

/// <summary>Source archives of tiny Procfile apps, for deploys from a URL; every app binds 127.0.0.1.</summary>
public static class SourceApps
{
    public const string StaticSite = "web: python3 -m http.server --bind 127.0.0.1 $PORT";

    public const string Crashing = "web: exit 1";

    public static byte[] Procfile(string procfile) => Archives.TarGz(
    [
        new ArchiveFile("Procfile", procfile + "\n"),
        new ArchiveFile("index.html", "hello from slipway " + Guid.NewGuid().ToString("N")),
    ]);
}
