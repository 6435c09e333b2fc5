namespace Slipway.Server.Runtime;

/// <summary>
/// Everything needed to start one app process, fixed when it is made: the Procfile command run by
/// <c>/bin/sh -c</c>, the folder it runs in, its whole environment, its <c>PORT</c> and dyno name.
/// </summary>
public sealed record ProcessSpec(
    string Command,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment,
    int Port,
    string DynoName);
