using System.Globalization;
using Slipway.TestSupport;

namespace Slipway.Bench;

/// <summary>What to measure and how much; every count is bounded so that a run stops by itself.</summary>
public sealed record BenchOptions
{
    public IReadOnlyList<Database> Databases { get; init; } = [Database.Sqlite, Database.Postgres];

    /// <summary>Measured release creations per setting (1 client, 16 clients, ...).</summary>
    public int Requests { get; init; } = 300;

    public int Warmup { get; init; } = 100;

    public int Clients { get; init; } = 16;

    /// <summary>Measured page requests per listing row.</summary>
    public int ListRequests { get; init; } = 200;

    public int ListWarmup { get; init; } = 30;

    public int PageSize { get; init; } = 100;

    /// <summary>Releases of the big app; all but the first and the last are seeded with bulk SQL.</summary>
    public int BigReleases { get; init; } = 100_000;

    /// <summary>Releases of the small app, all made through the API.</summary>
    public int SmallReleases { get; init; } = 100;

    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Slipway.Bench -- [options]
          --db sqlite|postgres|all   databases to measure (default all)
          --requests N               measured release creations per setting (default 300)
          --warmup N                 release creations before measuring (default 100)
          --clients N                concurrent clients of the concurrent settings (default 16)
          --list-requests N          measured page requests per listing row (default 200)
          --big N                    releases of the big app (default 100000)
        PostgreSQL comes from SLIPWAY_TEST_POSTGRES (a superuser connection string) when set,
        else from a private cluster (initdb + pg_ctl on a free loopback port).
        """;

    /// <summary>Reads the command line; null (with <paramref name="error"/>) when it is not understood.</summary>
    public static BenchOptions? Parse(string[] args, out string? error)
    {
        var options = new BenchOptions();
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                return null;
            }

            if (i + 1 >= args.Length)
            {
                error = $"{name} needs a value.";
                return null;
            }

            var value = args[++i];
            if (name == "--db")
            {
                Database[]? databases = value switch
                {
                    "sqlite" => [Database.Sqlite],
                    "postgres" => [Database.Postgres],
                    "all" => [Database.Sqlite, Database.Postgres],
                    _ => null,
                };
                if (databases is null)
                {
                    error = $"--db takes sqlite, postgres or all, not '{value}'.";
                    return null;
                }

                options = options with { Databases = databases };
                continue;
            }

            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                error = $"{name} takes a positive whole number, not '{value}'.";
                return null;
            }

            switch (name)
            {
                case "--requests":
                    options = options with { Requests = number };
                    break;
                case "--warmup":
                    options = options with { Warmup = number };
                    break;
                case "--clients":
                    options = options with { Clients = number };
                    break;
                case "--list-requests":
                    options = options with { ListRequests = number };
                    break;
                case "--big" when number > 2 * options.PageSize + 1000:
                    options = options with { BigReleases = number };
                    break;
                case "--big":
                    error = $"--big must be more than {2 * options.PageSize + 1000} so that the deep page exists.";
                    return null;
                default:
                    error = $"Unknown option {name}.";
                    return null;
            }
        }

        return options;
    }
}
