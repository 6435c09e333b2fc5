using System.Security.Cryptography;
using System.Text;

namespace Slipway.Server.Tests.Builds;

/// <summary>
/// Pure-Python wheels made by hand as pip expects them (METADATA, WHEEL, RECORD with hashes), so
/// the Python tests install real packages with no package index: none is reachable from here.
/// </summary>
public static class Wheels
{
    /// <summary>The file name pip expects of a pure-Python wheel.</summary>
    public static string FileName(string name, string version) => $"{name}-{version}-py3-none-any.whl";

    /// <summary>
    /// A wheel of <paramref name="name"/> holding <paramref name="files"/> (paths inside the wheel);
    /// <paramref name="consoleScripts"/> maps a command to its <c>module:function</c>, as a
    /// <c>[project.scripts]</c> table declares it, for pip to write into its <c>bin</c>.
    /// </summary>
    public static byte[] Make(string name, string version, IReadOnlyDictionary<string, string> files, IReadOnlyDictionary<string, string>? consoleScripts = null)
    {
        var info = $"{name}-{version}.dist-info";
        var entries = files.ToDictionary(f => f.Key, f => Encoding.UTF8.GetBytes(f.Value));
        entries[$"{info}/METADATA"] = Encoding.UTF8.GetBytes($"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
        entries[$"{info}/WHEEL"] = Encoding.UTF8.GetBytes("Wheel-Version: 1.0\nGenerator: slipway-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
        if (consoleScripts is { Count: > 0 })
        {
            entries[$"{info}/entry_points.txt"] = Encoding.UTF8.GetBytes("[console_scripts]\n" + string.Concat(consoleScripts.Select(s => $"{s.Key} = {s.Value}\n")));
        }

        var record = string.Concat(entries.Select(f => $"{f.Key},sha256={Convert.ToBase64String(SHA256.HashData(f.Value)).TrimEnd('=').Replace('+', '-').Replace('/', '_')},{f.Value.Length}\n"));
        entries[$"{info}/RECORD"] = Encoding.UTF8.GetBytes(record + $"{info}/RECORD,,\n");
        return Archives.Zip(entries.Select(f => new ArchiveFile(f.Key) { Bytes = f.Value }));
    }
}
