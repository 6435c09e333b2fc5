namespace Slipway.TestSupport;

/// <summary>A real git repository for tests: a bare repository to watch and a work clone to commit and push from.</summary>
public sealed class GitRepo : IDisposable
{
    private readonly string _root;

    private GitRepo(string root)
    {
        _root = root;
    }

    /// <summary>The bare repository: what Slipway watches.</summary>
    public string Bare => Path.Combine(_root, "repo.git");

    public string Work => Path.Combine(_root, "work");

    /// <summary>A bare repository with branch <c>main</c>, and a clone of it.</summary>
    public static GitRepo Create()
    {
        var repo = new GitRepo(Directory.CreateTempSubdirectory("slipway-git-").FullName);
        Git(repo._root, "init", "--quiet", "--bare", "--initial-branch=main", repo.Bare);
        Git(repo._root, "clone", "--quiet", repo.Bare, repo.Work);
        Git(repo.Work, "checkout", "--quiet", "-B", "main");
        return repo;
    }

    /// <summary>Writes the files, commits them as <paramref name="author"/> and pushes to <paramref name="branch"/>; answers the sha.</summary>
    public string CommitAndPush(IEnumerable<ArchiveFile> files, string message, string author = "Jane Doe", string branch = "main")
    {
        foreach (var file in files)
        {
            var path = Path.Combine(Work, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, file.Data);
        }

        Git(Work, "add", "--all");
        Git(Work, "-c", $"user.name={author}", "-c", "user.email=jane@example.com", "commit", "--quiet", "--allow-empty", "-m", message);
        Git(Work, "push", "--quiet", "origin", $"HEAD:refs/heads/{branch}");
        return Git(Work, "rev-parse", "HEAD").Trim();
    }

    public static string Git(string workingDirectory, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed ({process.ExitCode}): {stderr}");
        }

        return stdout.Result;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
