using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;
using Studio.Tests.Infrastructure;
using Studio.Web.Features.Storyboards;
using static Studio.Tests.Features.Storyboards.StoryboardTestData;

namespace Studio.Tests.Features.Storyboards;

public class ShotListTests : StudioComponentTest
{
    private readonly List<(Guid Shot, int Index)> _moves = [];
    private readonly List<Guid> _deleted = [];
    private readonly List<Guid> _restored = [];
    private readonly List<int> _added = [];

    private IRenderedComponent<ShotList> RenderList(IReadOnlyList<ShotView> shots, bool canEdit = true) =>
        Render<ShotList>(p => p
            .Add(l => l.Shots, shots)
            .Add(l => l.CanEdit, canEdit)
            .Add(l => l.OnMove, (id, index) =>
            {
                _moves.Add((id, index));
                return Task.FromResult(true);
            })
            .Add(l => l.OnDelete, id =>
            {
                _deleted.Add(id);
                return Task.FromResult(true);
            })
            .Add(l => l.OnRestore, id =>
            {
                _restored.Add(id);
                return Task.CompletedTask;
            })
            .Add(l => l.OnAdd, index =>
            {
                _added.Add(index);
                return Task.CompletedTask;
            })
            .Add(l => l.ShotContent, shot => builder => builder.AddContent(0, shot.DisplayTitle)));

    [Fact]
    public void AltArrowDown_OnTheFirstShotsHandle_MovesItToSecondPlaceAndAnnouncesIt()
    {
        var shots = Shots(3);
        var cut = RenderList(shots);

        cut.FindAll("[data-testid=shot-handle]")[0].KeyDown(new KeyboardEventArgs { Key = "ArrowDown", AltKey = true });

        Assert.Equal((shots[0].Id, 1), Assert.Single(_moves));
        cut.WaitForAssertion(() => Assert.Equal("Shot 1 moved to position 2", cut.Find("[data-testid=shot-announcement]").TextContent.Trim()));
    }

    [Fact]
    public void AltArrowUp_OnTheFirstShot_DoesNotMoveAndSaysItIsFirst()
    {
        var cut = RenderList(Shots(3));

        cut.FindAll("[data-testid=shot-handle]")[0].KeyDown(new KeyboardEventArgs { Key = "ArrowUp", AltKey = true });

        Assert.Empty(_moves);
        Assert.Contains("already first", cut.Find("[data-testid=shot-announcement]").TextContent);
    }

    [Fact]
    public void ArrowKeysWithoutAlt_LeaveTheOrderAlone()
    {
        var cut = RenderList(Shots(3));

        cut.FindAll("[data-testid=shot-handle]")[1].KeyDown(new KeyboardEventArgs { Key = "ArrowDown" });

        Assert.Empty(_moves);
    }

    [Fact]
    public void DraggingTheThirdShotOntoTheFirst_MovesItToTheTop()
    {
        var shots = Shots(3);
        var cut = RenderList(shots);

        cut.FindAll("[data-testid=shot-item]")[2].DragStart();
        cut.FindAll("[data-testid=shot-item]")[0].DragEnter();
        // While over the first card, the drop line shows above it (the shot will land before it).
        Assert.Contains("drop-before", cut.FindAll("[data-testid=shot-item]")[0].ClassName);
        cut.FindAll("[data-testid=shot-item]")[0].Drop();

        Assert.Equal((shots[2].Id, 0), Assert.Single(_moves));
        Assert.DoesNotContain("drop-before", cut.FindAll("[data-testid=shot-item]")[0].ClassName);
    }

    [Fact]
    public void DroppingAShotOnItself_DoesNothing()
    {
        var cut = RenderList(Shots(3));

        cut.FindAll("[data-testid=shot-item]")[1].DragStart();
        cut.FindAll("[data-testid=shot-item]")[1].Drop();

        Assert.Empty(_moves);
    }

    [Fact]
    public async Task DeletingAShot_OffersUndo_WhichRestoresThatShot()
    {
        var popovers = Render<MudPopoverProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        var shots = Shots(3);
        var cut = RenderList(shots);

        cut.Find("[aria-label='Shot 2 actions'] button, button[aria-label='Shot 2 actions']").Click();
        popovers.WaitForAssertion(() => Assert.Contains("Delete shot", popovers.Markup));
        popovers.FindAll(".mud-menu-item").Single(i => i.TextContent.Contains("Delete shot")).Click();

        // The menu closes first, then runs the item's action.
        cut.WaitForAssertion(() => Assert.Equal(shots[1].Id, Assert.Single(_deleted)));
        snackbars.WaitForAssertion(() => Assert.Contains("Shot 2 deleted", snackbars.Markup));
        Assert.Empty(_restored);

        await snackbars.InvokeAsync(() => snackbars.FindAll("button").Single(b => b.TextContent.Trim() == "Undo").Click());

        Assert.Equal(shots[1].Id, Assert.Single(_restored));
    }

    [Fact]
    public void AddShotButtons_AddBetweenCardsAndAtTheEnd()
    {
        var cut = RenderList(Shots(3));

        cut.FindAll("[data-testid=add-between]")[0].Click();
        cut.Find("[data-testid=add-shot]").Click();

        Assert.Equal([1, 3], _added);
    }

    [Fact]
    public void AShotThatContinues_IsJoinedToTheOneBeforeByALink()
    {
        var cut = RenderList([Shot(1), Shot(2, continues: true), Shot(3)]);

        var link = Assert.Single(cut.FindAll("[data-testid=shot-join-link]"));
        Assert.Contains("Shot 2 continues from the last frame of shot 1", link.TextContent);
    }

    [Fact]
    public void Viewers_GetNoHandlesMenusOrAddButtons()
    {
        var cut = RenderList(Shots(3), canEdit: false);

        Assert.Empty(cut.FindAll("[data-testid=shot-handle]"));
        Assert.Empty(cut.FindAll("[data-testid=add-between]"));
        Assert.Empty(cut.FindAll("[data-testid=add-shot]"));
        Assert.Empty(cut.FindAll(".mud-menu"));
        Assert.DoesNotContain("draggable=\"true\"", cut.Markup);
        Assert.Equal(3, cut.FindAll("[data-testid=shot-item]").Count);
    }
}
