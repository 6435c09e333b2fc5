using Slipway.Server.Ui;

namespace Slipway.Server.Tests.Ui;

public sealed class RelativeTimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(10, "just now")]
    [InlineData(60, "1 minute ago")]
    [InlineData(3 * 60, "3 minutes ago")]
    [InlineData(60 * 60, "1 hour ago")]
    [InlineData(5 * 3600, "5 hours ago")]
    [InlineData(26 * 3600, "1 day ago")]
    [InlineData(16 * 86400, "16 days ago")]
    [InlineData(65 * 86400, "2 months ago")]
    [InlineData(800 * 86400, "2 years ago")]
    public void Ago_ReadsAsTheCliSaysIt(int secondsAgo, string expected) =>
        Assert.Equal(expected, RelativeTime.Ago(Now.AddSeconds(-secondsAgo), Now));

    [Fact]
    public void Ago_OfAFutureTime_IsJustNow() => Assert.Equal("just now", RelativeTime.Ago(Now.AddMinutes(5), Now));

    [Fact]
    public void Exact_IsUtcWhateverTheOffset() =>
        Assert.Equal("2026-11-27 10:30:00 UTC", RelativeTime.Exact(new DateTimeOffset(2026, 11, 27, 12, 30, 0, TimeSpan.FromHours(2))));
}
