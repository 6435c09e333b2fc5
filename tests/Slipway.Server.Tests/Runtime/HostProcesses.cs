using System.Globalization;

namespace Slipway.Server.Tests.Runtime;

/// <summary>Processes on this machine by their command line, as a test that kills or expects to kill them sees them.</summary>
public static class HostProcesses
{
    /// <summary>The live process whose command line is <paramref name="cmdline"/> (NUL-separated), or 0.</summary>
    public static int PidOf(string cmdline)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && File.ReadAllText(Path.Combine(dir, "cmdline")) == cmdline && IsAlive(pid))
                {
                    return pid;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return 0;
    }

    /// <summary>Whether the process runs; a zombie is dead (it only waits for its parent to read its exit status).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
