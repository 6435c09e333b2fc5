namespace Slipway.Server.Pipelines;

/// <summary>The stages of a pipeline, in the order code moves through them.</summary>
public enum PipelineStage
{
    Review,
    Development,
    Staging,
    Production,
}

/// <summary>Stage names as the API spells them, and which stage each promotes to.</summary>
public static class PipelineStages
{
    public static IReadOnlyList<PipelineStage> All { get; } = Enum.GetValues<PipelineStage>();

    public static string NameOf(PipelineStage stage) => stage.ToString().ToLowerInvariant();

    /// <summary>The stage a promotion from <paramref name="stage"/> goes to; null for production.</summary>
    public static PipelineStage? Next(PipelineStage stage) => stage == PipelineStage.Production ? null : stage + 1;

    public static bool TryParse(string? name, out PipelineStage stage)
    {
        stage = default;
        var found = All.Where(s => NameOf(s) == name).ToList();
        if (found.Count == 0)
        {
            return false;
        }

        stage = found[0];
        return true;
    }

    public static string Rule => $"stage must be one of {string.Join(", ", All.Select(NameOf))}.";
}
