using Microsoft.Playwright;
using Studio.E2ETests.Infrastructure;
using Studio.E2ETests.Newcomer;

namespace Studio.E2ETests.Sharing;

/// <summary>
/// A member shares a take through the player's Share dialog; a second, signed-out browser plays it from the link;
/// the member revokes it and the signed-out page then says the link has expired or was revoked.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ShareLinkBrowserTests(StudioServer server, Chromium chromium)
{
    [Fact]
    public async Task ShareLink_PlaysSignedOut_AndStopsAfterRevoke()
    {
        await using var member = await chromium.NewSessionAsync(server.BaseAddress);
        await member.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = server.BaseAddress.GetLeftPart(UriPartial.Authority) });
        var page = member.Page;
        await NewcomerPath.WalkAsync(page); // ends with the take open in the player

        await page.GetByRole(AriaRole.Button, new() { Name = "Share", Exact = true }).ClickAsync();
        // MudBlazor's dialogs carry no accessible name: find the one whose heading says it.
        var dialog = page.GetByRole(AriaRole.Dialog).Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = "Share this take" }) });
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(dialog.GetByText("No live links")).ToBeVisibleAsync();
        await dialog.GetByRole(AriaRole.Radio, new() { Name = "1 day" }).ClickAsync();
        await Assertions.Expect(dialog.GetByRole(AriaRole.Radio, new() { Name = "1 day" })).ToHaveAttributeAsync("aria-checked", "true");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Create link" }).ClickAsync();

        var linkBox = dialog.GetByLabel("New link");
        await Assertions.Expect(linkBox).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("/s/[A-Za-z0-9_-]{43}$"));
        var link = await linkBox.InputValueAsync();
        Assert.StartsWith(server.BaseAddress.ToString(), link);
        await Assertions.Expect(dialog.Locator("[data-testid=share-link-row]")).ToHaveCountAsync(1);
        await Assertions.Expect(dialog.GetByText("24 h left")).ToBeVisibleAsync();

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        await Assertions.Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Copied" })).ToBeVisibleAsync();
        Assert.Equal(link, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

        // Someone with the link and no account.
        await using var visitor = await chromium.NewSessionAsync(server.BaseAddress, nameof(ShareLink_PlaysSignedOut_AndStopsAfterRevoke) + "_Visitor");
        var shared = visitor.Page;
        var response = await shared.GotoAsync(link);
        Assert.Equal(200, response!.Status);
        await Assertions.Expect(shared.GetByRole(AriaRole.Heading, new() { Name = "Harbour at dawn" })).ToBeVisibleAsync();
        await Assertions.Expect(shared.GetByText("16:9 landscape")).ToBeVisibleAsync();
        await Assertions.Expect(shared.GetByText("Fishing boats leave a misty harbour")).ToHaveCountAsync(0);
        await Assertions.Expect(shared.GetByText("Grace Hopper")).ToHaveCountAsync(0);
        await shared.EvaluateAsync("() => { const v = document.querySelector('video[data-testid=shared-video]'); v.muted = true; return v.play(); }");
        await shared.WaitForFunctionAsync("() => { const v = document.querySelector('video[data-testid=shared-video]'); return v.readyState >= 2 && v.currentTime > 0; }",
            null, new() { Timeout = 30_000 });

        // The member revokes the link (with a confirmation).
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke the link" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
        await Assertions.Expect(dialog.GetByText("No live links")).ToBeVisibleAsync();
        await Assertions.Expect(dialog.GetByLabel("New link")).ToHaveCountAsync(0);

        var afterRevoke = await shared.ReloadAsync();
        Assert.Equal(404, afterRevoke!.Status);
        await Assertions.Expect(shared.GetByRole(AriaRole.Heading, new() { Name = "This link has expired or was revoked" })).ToBeVisibleAsync();
        await Assertions.Expect(shared.Locator("video")).ToHaveCountAsync(0);

        visitor.MarkPassed();
        member.MarkPassed();
    }
}
