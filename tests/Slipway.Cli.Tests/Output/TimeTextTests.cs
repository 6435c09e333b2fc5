using Slipway.Cli.Output;

namespace Slipway.Cli.Tests.Output;

public sealed class TimeTextTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 14, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, "0 seconds ago")]
    [InlineData(1, "1 second ago")]
    [InlineData(59, "59 seconds ago")]
    [InlineData(60, "1 minute ago")]
    [InlineData(119, "1 minute ago")]
    [InlineData(120, "2 minutes ago")]
    [InlineData(3599, "59 minutes ago")]
    [InlineData(3600, "1 hour ago")]
    [InlineData(7200, "2 hours ago")]
    [InlineData(86399, "23 hours ago")]
    [InlineData(86400, "1 day ago")]
    [InlineData(16 * 86400, "16 days ago")]
    [InlineData(29 * 86400, "29 days ago")]
    [InlineData(30 * 86400, "1 month ago")]
    [InlineData(59 * 86400, "1 month ago")]
    [InlineData(60 * 86400, "2 months ago")]
    [InlineData(364 * 86400, "12 months ago")]
    [InlineData(365 * 86400, "1 year ago")]
    [InlineData(3 * 365 * 86400, "3 years ago")]
    public void Relative_ElapsedSeconds_ReadsAsWholeUnits(long seconds, string expected) =>
        Assert.Equal(expected, TimeText.Relative(Now.AddSeconds(-seconds), Now));

    [Fact]
    public void Relative_FutureTime_ReadsAsZeroSeconds() =>
        Assert.Equal("0 seconds ago", TimeText.Relative(Now.AddMinutes(5), Now));

    [Fact]
    public void Relative_OneMinute_NeverReadsAsAMinute() =>
        Assert.Equal("1 minute ago", TimeText.Relative(Now.AddSeconds(-90), Now));

    [Fact]
    public void Iso_OffsetTime_IsUtcToTheSecond() =>
        Assert.Equal("2026-11-27T12:30:05Z", TimeText.Iso(new DateTimeOffset(2026, 11, 27, 14, 30, 5, 999, TimeSpan.FromHours(2))));
}
