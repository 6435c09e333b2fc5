using Slipway.Server.Releases;

namespace Slipway.Server.Tests.Releases;

public sealed class RollbackPreviewTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Preview_ComparesConfigByValue_AndNamesAddedRemovedChanged()
    {
        var slug = Guid.NewGuid();
        var target = Make(2, slug, new() { ["SAME"] = "x", ["CHANGED"] = "old", ["ONLY_THEN"] = "1" });
        var current = Make(5, Guid.NewGuid(), new() { ["SAME"] = "x", ["CHANGED"] = "new", ["ONLY_NOW"] = "1" });

        var preview = RollbackPreview.Of(target, current);

        Assert.Equal(["ONLY_THEN"], preview.Added);
        Assert.Equal(["ONLY_NOW"], preview.Removed);
        Assert.Equal(["CHANGED"], preview.Changed);
        Assert.True(preview.SlugChanges);
        Assert.True(preview.ConfigChanges);
    }

    [Fact]
    public void Preview_OfTheSameSlugAndConfig_ChangesNothing()
    {
        var slug = Guid.NewGuid();
        var preview = RollbackPreview.Of(Make(1, slug, new() { ["A"] = "1" }), Make(2, slug, new() { ["A"] = "1" }));

        Assert.False(preview.SlugChanges);
        Assert.False(preview.ConfigChanges);
    }

    [Fact]
    public void Preview_IsCaseSensitiveAboutNames()
    {
        var preview = RollbackPreview.Of(Make(1, null, new() { ["foo"] = "1" }), Make(2, null, new() { ["FOO"] = "1" }));

        Assert.Equal(["foo"], preview.Added);
        Assert.Equal(["FOO"], preview.Removed);
        Assert.Empty(preview.Changed);
    }

    private static Release Make(int version, Guid? slug, Dictionary<string, string> config) =>
        Release.Create(Guid.Empty, version, new ReleaseDraft(slug, config, $"v{version}", ReleaseTrigger.Config), Guid.Empty, Now);
}
