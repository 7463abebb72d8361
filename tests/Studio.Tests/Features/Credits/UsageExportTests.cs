using Studio.Web.Features.Credits;

namespace Studio.Tests.Features.Credits;

public sealed class UsageExportTests
{
    [Fact]
    public void Line_WritesCreditsInInvariantCulture_WithUtcTimesAndEmptyFieldsForNone()
    {
        var id = Guid.Parse("0b6f1d3e-0000-0000-0000-000000000001");
        var row = new UsageLedgerRow(new DateTime(2026, 11, 3, 9, 30, 5, DateTimeKind.Utc), "Ada", "Film", id, CreditEntryKind.Settle, "runway", "gen4.5",
            Held: -60_000, Spent: 72_500, Limit: 0);
        var before = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE"); // decimal comma
            Assert.Equal($"2026-11-03T09:30:05Z,Ada,Film,{id},Settle,runway,gen4.5,-60,72.5,0\r\n", UsageEndpoints.Line(row));
            Assert.Equal("2026-11-04T00:00:00Z,,,,Grant,,,0,0,0.001\r\n",
                UsageEndpoints.Line(new UsageLedgerRow(new DateTime(2026, 11, 4, 0, 0, 0, DateTimeKind.Utc), null, null, null, CreditEntryKind.Grant, null, null, 0, 0, 1)));
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = before;
        }
    }

    [Theory]
    [InlineData("Ada Lovelace", "Ada Lovelace")]
    [InlineData("Night, market", "\"Night, market\"")]
    [InlineData("The \"rain\" cut", "\"The \"\"rain\"\" cut\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+1 take", "'+1 take")]
    [InlineData("@team", "'@team")]
    public void Text_QuotesAsNeeded_AndDefusesFormulas(string value, string field) =>
        Assert.Equal(field, UsageEndpoints.Text(value));
}
