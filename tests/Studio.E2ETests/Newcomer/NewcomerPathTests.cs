using Studio.E2ETests.Infrastructure;

namespace Studio.E2ETests.Newcomer;

/// <summary>The newcomer's path (<see cref="NewcomerPath"/>) in Debian's Chromium against the real studio in Sandbox mode, blobs in its data folder.</summary>
[Collection(BrowserCollection.Name)]
public sealed class NewcomerPathTests(StudioServer server, Chromium chromium)
{
    [Fact]
    public async Task Newcomer_RegistersCreatesProjectGeneratesAndPlaysTheVideo_WithoutReloading()
    {
        await using var session = await chromium.NewSessionAsync(server.BaseAddress);

        await NewcomerPath.WalkAsync(session.Page);

        session.MarkPassed();
    }
}
