using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Credits;
using Studio.Web.Features.Generations;

namespace Studio.IntegrationTests.Credits;

/// <summary>One studio with a Runway key (takes are charged); Ada has one settled take, Bo is in another team.</summary>
public sealed class UsageExportFixture : IAsyncLifetime
{
    private readonly string _dataDirectory = TestPaths.NewDirectory("usage-export");

    public TestEmulator Emulator { get; private set; } = null!;
    public StudioTestHost Studio { get; private set; } = null!;
    public TestUser Ada { get; private set; } = null!;
    public TestUser Bo { get; private set; } = null!;
    public Guid Take { get; private set; }

    public async Task InitializeAsync()
    {
        Emulator = await TestEmulator.StartAsync();
        Studio = StudioTestHost.Start(_dataDirectory, Emulator);
        Ada = await Studio.RegisterAsync("Ada Lovelace");
        Bo = await Studio.RegisterAsync("Bo");
        var project = await Studio.CreateProjectAsync(Ada, "Night, market"); // a comma: the CSV must quote it
        Take = await Studio.SubmitAsync(Ada, project);
        await Studio.WaitForStateAsync(Take, GenerationState.Ready);
        // The take is settled just after it is pushed as ready.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var db = await Studio.DbAsync();
            if (await db.CreditEntries.AnyAsync(e => e.GenerationId == Take && e.Kind == CreditEntryKind.Settle))
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "The ready take was never settled.");
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        await Studio.DisposeAsync();
        await Emulator.DisposeAsync();
        TestPaths.TryDelete(_dataDirectory);
    }
}

/// <summary>GET /usage/export.csv: a member gets their team's ledger for a period; anyone else gets 404 or the sign-in.</summary>
public sealed class UsageExportTests(UsageExportFixture fixture) : IClassFixture<UsageExportFixture>
{
    private StudioTestHost Studio => fixture.Studio;

    [Fact]
    public async Task Export_ForAMember_StreamsTheTeamsLedgerOfThePeriod_InCredits()
    {
        var (client, _) = await Studio.SignInAsync(fixture.Ada);
        var period = await CurrentPeriodAsync();

        using var response = await client.GetAsync(UsageEndpoints.ExportUrl(fixture.Ada.TeamId, period));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"usage-{period:yyyy-MM-dd}.csv", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("at,member,project,take_id,kind,provider,model,held_credits,spent_credits,limit_credits", lines[0]);
        var estimate = (await Studio.ReadAsync(fixture.Take)).EstimatedCredits!.Value;
        var reserve = Assert.Single(lines, l => l.Contains($",{fixture.Take},Reserve,", StringComparison.Ordinal));
        Assert.EndsWith($",Ada Lovelace,\"Night, market\",{fixture.Take},Reserve,runway,gen4.5,{estimate},0,0", reserve);
        var settle = Assert.Single(lines, l => l.Contains($",{fixture.Take},Settle,", StringComparison.Ordinal)).Split(',');
        Assert.Equal($"-{estimate}", settle[^3]);
        Assert.True(decimal.Parse(settle[^2], System.Globalization.CultureInfo.InvariantCulture) > 0);

        // No period: the current one, the same rows.
        Assert.Equal(lines, (await client.GetStringAsync(UsageEndpoints.ExportPath)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Export_ForAnotherTeamsMember_IsNotFound_AndTheirOwnHasNoneOfTheOtherTeamsRows()
    {
        var (client, _) = await Studio.SignInAsync(fixture.Bo);
        var period = await CurrentPeriodAsync();

        using var theirs = await client.GetAsync(UsageEndpoints.ExportUrl(fixture.Ada.TeamId, period));
        var own = await client.GetStringAsync(UsageEndpoints.ExportUrl(fixture.Bo.TeamId, period));

        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        Assert.DoesNotContain(fixture.Take.ToString(), await theirs.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Take.ToString(), own, StringComparison.Ordinal);
        Assert.DoesNotContain("Ada", own, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_WithoutSignIn_GoesToTheSignIn_AndABadPeriodIsRefused()
    {
        var (anonymous, _) = Studio.CreateClient();
        using var refused = await anonymous.GetAsync(UsageEndpoints.ExportUrl(fixture.Ada.TeamId, await CurrentPeriodAsync()));
        Assert.True(refused.StatusCode is HttpStatusCode.Found or HttpStatusCode.Unauthorized, $"Anonymous got {(int)refused.StatusCode}.");
        if (refused.StatusCode == HttpStatusCode.Found)
        {
            Assert.Equal("/account/login", refused.Headers.Location!.IsAbsoluteUri ? refused.Headers.Location.AbsolutePath : refused.Headers.Location.OriginalString.Split('?')[0]);
        }

        var (client, _) = await Studio.SignInAsync(fixture.Ada);
        using var bad = await client.GetAsync($"{UsageEndpoints.ExportPath}?period=November");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private Task<DateOnly> CurrentPeriodAsync() =>
        Studio.Services.GetRequiredService<UsageService>().CurrentPeriodAsync(fixture.Ada.TeamId);
}
