using System.Globalization;
using System.Runtime.InteropServices;

namespace Slipway.Server.Runtime;

/// <summary>
/// Signals to whole Unix process groups and a look at which processes a group still has.
/// Members are read from <c>/proc</c>, because a zombie nobody reaps (PID 1 in a container
/// may not) still answers <c>kill(pid, 0)</c> although it is gone in every way that matters.
/// </summary>
public static partial class ProcessGroups
{
    public const int SigKill = 9;

    public const int SigTerm = 15;

    /// <summary>How often a group being stopped is looked at again.</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(25);

    /// <summary>Sends <paramref name="signal"/> to every process of group <paramref name="pgid"/>; false when the group is gone.</summary>
    public static bool Signal(int pgid, int signal) => pgid > 1 && Kill(-pgid, signal) == 0;

    /// <summary>The live (not zombie) processes whose process group is <paramref name="pgid"/>.</summary>
    public static List<int> Members(int pgid)
    {
        var members = new List<int>();
        foreach (var (pid, group, state, _) in All())
        {
            if (group == pgid && state != 'Z' && state != 'X')
            {
                members.Add(pid);
            }
        }

        return members;
    }

    public static bool IsEmpty(int pgid) => Members(pgid).Count == 0;

    /// <summary>The groups of live processes whose environment has <paramref name="name"/>=<paramref name="value"/>.</summary>
    public static HashSet<int> WithEnvironment(string name, string value)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes($"{name}={value}\0");
        var groups = new HashSet<int>();
        foreach (var (pid, group, state, _) in All())
        {
            if (state is 'Z' or 'X' || group <= 1)
            {
                continue;
            }

            try
            {
                if (File.ReadAllBytes($"/proc/{pid}/environ").AsSpan().IndexOf(needle) >= 0)
                {
                    groups.Add(group);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }

        return groups;
    }

    /// <summary>When process <paramref name="pid"/> started (clock ticks since boot), or null when it does not exist.</summary>
    public static long? StartTime(int pid) => Read(pid) is { } stat ? stat.StartTime : null;

    /// <summary>SIGTERM to the group, up to <paramref name="grace"/> for it to go, then SIGKILL until nothing of it is left.</summary>
    public static async Task TerminateAsync(int pgid, TimeSpan grace, TimeProvider clock, CancellationToken ct = default)
    {
        if (IsEmpty(pgid))
        {
            return;
        }

        Signal(pgid, SigTerm);

        var deadline = clock.GetUtcNow() + grace;
        while (clock.GetUtcNow() < deadline && !IsEmpty(pgid))
        {
            await Task.Delay(Pause, clock, ct);
        }

        // A process may have ignored SIGTERM or been forked while we waited: SIGKILL until the group is empty.
        // Killed processes are gone within a millisecond or two (a sandbox's just-exited PID 1 too): look
        // again soon, then every Pause.
        var pause = TimeSpan.FromMilliseconds(1);
        for (var attempt = 0; !IsEmpty(pgid); attempt++)
        {
            Signal(pgid, SigKill);
            if (attempt > 400)
            {
                throw new InvalidOperationException($"Process group {pgid} still has processes after SIGKILL: {string.Join(", ", Members(pgid))}.");
            }

            await Task.Delay(pause, clock, CancellationToken.None);
            pause = pause * 2 < Pause ? pause * 2 : Pause;
        }
    }

    private static IEnumerable<(int Pid, int Pgid, char State, long StartTime)> All()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { } stat)
            {
                yield return stat;
            }
        }
    }

    /// <summary>Parses <c>/proc/&lt;pid&gt;/stat</c>; the command name may hold spaces and parentheses, so fields count from the last ')'.</summary>
    private static (int Pid, int Pgid, char State, long StartTime)? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        // After ") ": state(3) ppid(4) pgrp(5) ... starttime(22).
        var fields = text[(close + 2)..].Split(' ');
        if (fields.Length < 20)
        {
            return null;
        }

        return (pid, int.Parse(fields[2], CultureInfo.InvariantCulture), fields[0][0], long.Parse(fields[19], CultureInfo.InvariantCulture));
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
