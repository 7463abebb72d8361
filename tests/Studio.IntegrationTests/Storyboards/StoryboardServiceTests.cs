using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Storage;
using Studio.Web.Features.Storyboards;
using Studio.Web.Features.Teams;

namespace Studio.IntegrationTests.Storyboards;

/// <summary>The storyboard's shots, presets and runs on a Sandbox studio: order, undo, roles, refusals, team deletion.</summary>
public sealed class StoryboardServiceTests() : SandboxStudioTest("storyboards", emulatorRunningSeconds: 0.5)
{
    private StoryboardService Boards => Studio.Services.GetRequiredService<StoryboardService>();

    private ShotGeneration Shots => Studio.Services.GetRequiredService<ShotGeneration>();

    [Fact]
    public async Task Shots_are_added_duplicated_moved_deleted_and_restored_in_place()
    {
        var (ada, board) = await BoardAsync();
        var first = (await Boards.GetAsync(ada.Id, board))!.Shots.Single();
        await SaveAsync(ada, first.Id, "Dawn", "A boat leaves the harbour at dawn");
        var b = (await Boards.AddShotAsync(ada.Id, board)).Id!.Value;
        await SaveAsync(ada, b, "Sea", "Grey waves, tracking shot");
        var c = (await Boards.DuplicateShotAsync(ada.Id, b)).Id!.Value;
        Assert.Equal(["Dawn", "Sea", "Sea (copy)"], await TitlesAsync(ada, board));
        var copy = (await Boards.GetAsync(ada.Id, board))!.Shots[2];
        Assert.Equal("Grey waves, tracking shot", copy.PromptText);
        Assert.Empty(copy.Takes);

        Assert.True((await Boards.MoveShotAsync(ada.Id, c, 0)).Succeeded);
        Assert.Equal(["Sea (copy)", "Dawn", "Sea"], await TitlesAsync(ada, board));
        Assert.True((await Boards.MoveShotAsync(ada.Id, c, 99)).Succeeded); // clamped to the end
        Assert.Equal(["Dawn", "Sea", "Sea (copy)"], await TitlesAsync(ada, board));

        Assert.True((await Boards.DeleteShotAsync(ada.Id, b)).Succeeded);
        Assert.Equal(["Dawn", "Sea (copy)"], await TitlesAsync(ada, board));
        Assert.True((await Boards.RestoreShotAsync(ada.Id, b)).Succeeded);
        Assert.Equal(["Dawn", "Sea", "Sea (copy)"], await TitlesAsync(ada, board));
        Assert.Equal([1, 2, 3], (await Boards.GetAsync(ada.Id, board))!.Shots.Select(s => s.Number));
    }

    [Fact]
    public async Task A_pasted_shot_list_replaces_a_new_storyboards_blank_shot_then_adds_at_the_end_with_the_last_shots_settings()
    {
        var (ada, board) = await BoardAsync();
        var blank = (await Boards.GetAsync(ada.Id, board))!.Shots.Single();

        var first = await Boards.ImportShotsAsync(ada.Id, board, "1. Dawn\nA boat leaves the harbour\n\n2. Sea\nGrey waves, tracking shot");

        Assert.True(first.Succeeded, first.Error);
        var shots = (await Boards.GetAsync(ada.Id, board))!.Shots;
        Assert.Equal([("Dawn", "A boat leaves the harbour"), ("Sea", "Grey waves, tracking shot")], shots.Select(s => (s.Title, s.PromptText)));
        Assert.Equal(shots[0].Id, first.Id);
        Assert.DoesNotContain(shots, s => s.Id == blank.Id);
        await using (var db = await Studio.DbAsync())
        {
            Assert.False(await db.Shots.AnyAsync(s => s.Id == blank.Id)); // gone, not waiting for an undo
        }

        // A second list comes after the shots there are, with the last shot's duration and ratio.
        Assert.True((await Boards.UpdateShotAsync(ada.Id, shots[1].Id, Edit("Sea", "Grey waves, tracking shot", seconds: 7) with { Ratio = "720:1280" })).Succeeded);
        Assert.True((await Boards.ImportShotsAsync(ada.Id, board, "Gulls circle the mast\nNets come in, close-up")).Succeeded);
        shots = (await Boards.GetAsync(ada.Id, board))!.Shots;
        Assert.Equal(["A boat leaves the harbour", "Grey waves, tracking shot", "Gulls circle the mast", "Nets come in, close-up"], shots.Select(s => s.PromptText));
        Assert.Equal([1, 2, 3, 4], shots.Select(s => s.Number));
        Assert.All(shots.Skip(2), s => Assert.Equal((7, "720:1280", ""), (s.DurationSeconds, s.Ratio, s.Title)));
    }

    [Fact]
    public async Task A_shot_list_that_cannot_come_in_changes_nothing_and_viewers_and_outsiders_cannot_paste_one()
    {
        var (ada, board) = await BoardAsync();
        await SaveAsync(ada, (await Boards.GetAsync(ada.Id, board))!.Shots.Single().Id, "Dawn", "A boat leaves the harbour");
        var version = (await Boards.GetAsync(ada.Id, board))!.Version;

        var tooLong = await Boards.ImportShotsAsync(ada.Id, board, $"Fine\n\nLong\n{new string('w', Shot.PromptMaxLength + 1)}");
        Assert.False(tooLong.Succeeded);
        Assert.StartsWith($"Shot 2's prompt is {Shot.PromptMaxLength + 1:N0} characters", tooLong.Error);
        Assert.Equal("There is no shot in that text: write one shot per line, or one paragraph per shot.", (await Boards.ImportShotsAsync(ada.Id, board, " \n\n ")).Error);

        var members = Studio.Services.GetRequiredService<TeamMembersService>();
        var vic = await Studio.RegisterAsync("Vic");
        var invite = await members.CreateInviteAsync(ada.Id, ada.TeamId, TeamRole.Viewer, 1, TimeSpan.FromDays(1));
        Assert.True((await members.AcceptInviteAsync(vic.Id, invite.Value!)).Succeeded);
        Assert.Equal(StoryboardService.ViewerRefusal, (await Boards.ImportShotsAsync(vic.Id, board, "A wave")).Error);
        var eve = await Studio.RegisterAsync("Eve");
        Assert.True((await Boards.ImportShotsAsync(eve.Id, board, "A wave")).IsNotFound);

        var after = (await Boards.GetAsync(ada.Id, board))!;
        Assert.Equal(version, after.Version);
        Assert.Equal(["Dawn"], after.Shots.Select(s => s.Title));
    }

    [Fact]
    public async Task Duplicating_a_storyboard_copies_its_style_shots_and_images_but_not_its_takes()
    {
        var (ada, board) = await BoardAsync();
        var preset = await Boards.SavePresetAsync(ada.Id, ada.TeamId, null, "Teal", "muted teal palette");
        Assert.True((await Boards.SetStyleAsync(ada.Id, board, preset.Id)).Succeeded);
        Assert.True((await Boards.ImportShotsAsync(ada.Id, board, "Dawn\nA boat leaves the harbour\n\nSea\nGrey waves, tracking shot")).Succeeded);
        var shots = (await Boards.GetAsync(ada.Id, board))!.Shots;
        Assert.True((await Boards.UpdateShotAsync(ada.Id, shots[1].Id, Edit("Sea", "Grey waves, tracking shot", continues: true, seconds: 4))).Succeeded);
        var image = new FirstFrameImage("f.png", "image/png", global::Studio.IntegrationTests.Emulator.PixazoReceiver.Png);
        Assert.True((await Boards.SetFirstFrameAsync(ada.Id, shots[0].Id, image)).Succeeded);
        var take = await Shots.GenerateShotAsync(ada.Id, shots[0].Id);
        Assert.True(take.Succeeded, take.Error);

        var copy = await Boards.DuplicateAsync(ada.Id, board);

        Assert.True(copy.Succeeded, copy.Error);
        var view = (await Boards.GetAsync(ada.Id, copy.Id!.Value))!;
        Assert.Equal(("Sea crossing (copy)", "Teal"), (view.Title, view.Style?.Name));
        Assert.Equal([("Dawn", "A boat leaves the harbour", false, 5), ("Sea", "Grey waves, tracking shot", true, 4)],
            view.Shots.Select(s => (s.Title, s.PromptText, s.ContinueFromPrevious, s.DurationSeconds)));
        Assert.All(view.Shots, s => Assert.Empty(s.Takes));
        Assert.Equal([true, false], view.Shots.Select(s => s.HasFirstFrame));
        // The same picture in a blob of its own: deleting either storyboard leaves the other's image.
        var blobs = Studio.Services.GetRequiredService<IBlobStore>();
        string originalKey, copyKey;
        await using (var db = await Studio.DbAsync())
        {
            originalKey = (await db.Shots.SingleAsync(s => s.Id == shots[0].Id)).FirstFrameBlobKey!;
            copyKey = (await db.Shots.SingleAsync(s => s.Id == view.Shots[0].Id)).FirstFrameBlobKey!;
        }
        Assert.NotEqual(originalKey, copyKey);
        Assert.Equal(await blobs.ReadAllBytesAsync(originalKey, CancellationToken.None), await blobs.ReadAllBytesAsync(copyKey, CancellationToken.None));
        // The original keeps its take, and the project lists both.
        Assert.Single((await Boards.GetAsync(ada.Id, board))!.Shots[0].Takes);
        Assert.Equal(2, (await Boards.ListAsync(ada.Id, view.ProjectId))!.Count);
    }

    [Fact]
    public async Task The_first_shot_cannot_continue_and_moving_a_continuing_shot_first_turns_it_off()
    {
        var (ada, board) = await BoardAsync();
        var first = (await Boards.GetAsync(ada.Id, board))!.Shots.Single().Id;
        var refused = await Boards.UpdateShotAsync(ada.Id, first, Edit("Dawn", "A boat", continues: true));
        Assert.False(refused.Succeeded);
        Assert.Equal("The first shot has nothing to continue from.", refused.Error);

        var second = (await Boards.AddShotAsync(ada.Id, board)).Id!.Value;
        Assert.True((await Boards.UpdateShotAsync(ada.Id, second, Edit("Sea", "Waves", continues: true))).Succeeded);
        Assert.True((await Boards.MoveShotAsync(ada.Id, second, 0)).Succeeded);
        var shots = (await Boards.GetAsync(ada.Id, board))!.Shots;
        Assert.Equal("Sea", shots[0].Title);
        Assert.False(shots[0].ContinueFromPrevious);
    }

    [Fact]
    public async Task Bad_edits_are_refused_field_by_field_and_change_nothing()
    {
        var (ada, board) = await BoardAsync();
        var shot = (await Boards.GetAsync(ada.Id, board))!.Shots.Single();
        await SaveAsync(ada, shot.Id, "Dawn", "A boat leaves the harbour");
        var result = await Boards.UpdateShotAsync(ada.Id, shot.Id,
            new ShotEdit(new string('t', 81), "x", "runway", "gen4.5", "999:1", 11, -1, null, new string('n', 2001), false));
        Assert.False(result.Succeeded);
        Assert.Equal(
            new[] { GenerationDraftValidator.Fields.Duration, GenerationDraftValidator.Fields.Ratio, GenerationDraftValidator.Fields.Seed, StoryboardService.FieldNotes, StoryboardService.FieldTitle }.Order(),
            result.Errors!.Keys.Order());
        Assert.Equal("Duration must be 2–10 seconds.", result.Errors[GenerationDraftValidator.Fields.Duration]);
        var after = (await Boards.GetAsync(ada.Id, board))!.Shots.Single();
        Assert.Equal(("Dawn", "A boat leaves the harbour", 2), (after.Title, after.PromptText, after.DurationSeconds));
    }

    [Fact]
    public async Task Viewers_read_but_cannot_change_and_other_teams_get_not_found()
    {
        var (ada, board) = await BoardAsync();
        var members = Studio.Services.GetRequiredService<TeamMembersService>();
        var vic = await Studio.RegisterAsync("Vic");
        var invite = await members.CreateInviteAsync(ada.Id, ada.TeamId, TeamRole.Viewer, 1, TimeSpan.FromDays(1));
        Assert.True((await members.AcceptInviteAsync(vic.Id, invite.Value!)).Succeeded);
        var eve = await Studio.RegisterAsync("Eve");
        var shot = (await Boards.GetAsync(ada.Id, board))!.Shots.Single().Id;

        var seen = await Boards.GetAsync(vic.Id, board);
        Assert.NotNull(seen);
        Assert.False(seen.CanEdit);
        Assert.Equal(StoryboardService.ViewerRefusal, (await Boards.UpdateShotAsync(vic.Id, shot, Edit("x", "y"))).Error);
        Assert.False((await Boards.AddShotAsync(vic.Id, board)).Succeeded);
        Assert.False((await Shots.GenerateShotAsync(vic.Id, shot)).Succeeded);
        Assert.False((await Boards.DeleteAsync(vic.Id, board)).Succeeded);

        Assert.Null(await Boards.GetAsync(eve.Id, board));
        Assert.Null(await Boards.ListAsync(eve.Id, (await Boards.GetAsync(ada.Id, board))!.ProjectId));
        Assert.True((await Boards.UpdateShotAsync(eve.Id, shot, Edit("x", "y"))).IsNotFound);
        Assert.True((await Boards.MoveShotAsync(eve.Id, shot, 0)).IsNotFound);
        Assert.True((await Boards.DeleteShotAsync(eve.Id, shot)).IsNotFound);
        Assert.True((await Shots.GenerateShotAsync(eve.Id, shot)).IsNotFound);
        Assert.True((await Boards.RenameAsync(eve.Id, board, "Mine")).IsNotFound);
        Assert.Null(await Shots.PreviewAsync(eve.Id, board, 1, false));
        Assert.True((await Studio.Services.GetRequiredService<FinalCuts>().RequestAsync(eve.Id, board)).IsNotFound);
        Assert.Equal("Sea crossing", (await Boards.GetAsync(ada.Id, board))!.Title);
    }

    [Fact]
    public async Task A_style_preset_is_added_to_every_prompt_sent_and_counts_toward_the_limit()
    {
        var (ada, board) = await BoardAsync();
        var preset = await Boards.SavePresetAsync(ada.Id, ada.TeamId, null, "Teal film", "35mm film grain, muted teal and orange palette");
        Assert.True(preset.Succeeded, preset.Error);
        var duplicate = await Boards.SavePresetAsync(ada.Id, ada.TeamId, null, "Teal film", "other");
        Assert.Equal("The team already has a style called \"Teal film\".", duplicate.Errors!["Name"]);
        Assert.True((await Boards.SetStyleAsync(ada.Id, board, preset.Id)).Succeeded);
        var shot = (await Boards.GetAsync(ada.Id, board))!.Shots.Single();
        await SaveAsync(ada, shot.Id, "Dawn", "A boat leaves the harbour at dawn.");

        var made = await Shots.GenerateShotAsync(ada.Id, shot.Id, takes: 2);
        Assert.True(made.Succeeded, made.Error);
        await using (var db = await Studio.DbAsync())
        {
            var takes = await db.Generations.Where(g => g.ShotId == shot.Id).OrderBy(g => g.CreatedAt).ToListAsync();
            Assert.Equal(2, takes.Count);
            Assert.All(takes, t => Assert.Equal("A boat leaves the harbour at dawn. 35mm film grain, muted teal and orange palette", t.PromptText));
            Assert.Equal([1000L, 1001L], takes.Select(t => t.Seed!.Value)); // a fixed seed counts up, so the takes differ
        }

        // 990 characters of shot + the style are over Gen-4.5's 1,000: Generate all names the shot and starts nothing.
        await SaveAsync(ada, shot.Id, "Dawn", new string('a', 990));
        var preview = (await Shots.PreviewAsync(ada.Id, board, 1, everyShot: true))!;
        Assert.Single(preview.Problems);
        Assert.StartsWith("Shot 1: ", preview.Problems[0]);
        var refused = await Shots.GenerateAllAsync(ada.Id, board, 1, everyShot: true);
        Assert.False(refused.Succeeded);
        await using (var db = await Studio.DbAsync())
        {
            Assert.Equal(2, await db.Generations.CountAsync(g => g.ShotId == shot.Id));
        }

        // Deleting the preset leaves the storyboard without a style.
        Assert.True((await Boards.DeletePresetAsync(ada.Id, preset.Id!.Value)).Succeeded);
        Assert.Null((await Boards.GetAsync(ada.Id, board))!.Style);
    }

    [Fact]
    public async Task A_continuing_shot_cannot_start_alone_before_the_shot_it_continues_has_a_take()
    {
        var (ada, board) = await BoardAsync();
        var first = (await Boards.GetAsync(ada.Id, board))!.Shots.Single().Id;
        await SaveAsync(ada, first, "Dawn", "A boat leaves the harbour at dawn");
        var second = (await Boards.AddShotAsync(ada.Id, board)).Id!.Value;
        Assert.True((await Boards.UpdateShotAsync(ada.Id, second, Edit("Sea", "Grey waves, tracking shot", continues: true))).Succeeded);

        var refused = await Shots.GenerateShotAsync(ada.Id, second);
        Assert.False(refused.Succeeded);
        Assert.StartsWith("Shot 2 continues from shot 1, which has no finished selected take yet.", refused.Error);
        var view = (await Boards.GetAsync(ada.Id, board))!;
        Assert.Equal(refused.Error, view.Shots[1].RunError);
        Assert.Empty(view.Shots[1].Takes);

        // Generate all makes shot 1 first and shot 2 from its last frame; the first ready take of each is chosen.
        Assert.True((await Shots.GenerateAllAsync(ada.Id, board, 1, everyShot: false)).Succeeded);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(view = (await Boards.GetAsync(ada.Id, board))!).ReadyToAssemble && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.True(view.ReadyToAssemble);
        Assert.Null(view.Shots[1].RunError);
        Assert.Equal("automatically", view.Shots[1].SelectedBy);
        Assert.Equal((1, 1), view.Shots[1].Selected!.ContinuedFrom);
        Assert.True(view.Shots[1].Selected!.Take.HasFirstFrame);
    }

    [Fact]
    public async Task Generate_all_never_gives_up_a_waiting_shot_however_often_the_worker_looks()
    {
        var (ada, board) = await BoardAsync();
        var first = (await Boards.GetAsync(ada.Id, board))!.Shots.Single().Id;
        await SaveAsync(ada, first, "Dawn", "A boat leaves the harbour at dawn");
        var second = (await Boards.AddShotAsync(ada.Id, board)).Id!.Value;
        Assert.True((await Boards.UpdateShotAsync(ada.Id, second, Edit("Sea", "Grey waves, tracking shot", continues: true))).Succeeded);

        // The worker's pass, as often as it can run, from before Generate all starts until both shots have a take:
        // no moment of the run may look like "nothing is coming for shot 1".
        using var stop = new CancellationTokenSource();
        var passes = 0;
        var sweeping = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Shots.AdvanceAsync(CancellationToken.None);
                passes++;
            }
        });
        Assert.True((await Shots.GenerateAllAsync(ada.Id, board, 1, everyShot: false)).Succeeded);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        StoryboardView view;
        while (!(view = (await Boards.GetAsync(ada.Id, board))!).ReadyToAssemble && view.Shots[1].RunError is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        await stop.CancelAsync();
        await sweeping;
        Assert.Null(view.Shots[1].RunError);
        Assert.True(view.ReadyToAssemble);
        Assert.True(passes > 10, $"only {passes} passes");
    }

    [Fact]
    public async Task Deleting_the_team_deletes_its_storyboards_and_their_images()
    {
        var (ada, board) = await BoardAsync();
        var shot = (await Boards.GetAsync(ada.Id, board))!.Shots.Single().Id;
        Assert.True((await Boards.SetFirstFrameAsync(ada.Id, shot, new FirstFrameImage("f.png", "image/png", global::Studio.IntegrationTests.Emulator.PixazoReceiver.Png))).Succeeded);
        Assert.True((await Boards.SavePresetAsync(ada.Id, ada.TeamId, null, "House", "soft light")).Succeeded);
        string key;
        await using (var db = await Studio.DbAsync())
        {
            key = (await db.Shots.SingleAsync(s => s.Id == shot)).FirstFrameBlobKey!;
        }
        var blobs = Studio.Services.GetRequiredService<IBlobStore>();
        await using (var stored = await blobs.OpenReadAsync(key, CancellationToken.None))
        {
            Assert.NotNull(stored);
        }

        var teamName = await TeamNameAsync(ada.TeamId);
        var deleted = await Studio.Services.GetRequiredService<TeamDeletionService>().DeleteTeamAsync(ada.Id, ada.TeamId, teamName);
        Assert.True(deleted.Succeeded, deleted.Error);
        await using (var db = await Studio.DbAsync())
        {
            Assert.False(await db.Storyboards.AnyAsync(b => b.TeamId == ada.TeamId));
            Assert.False(await db.Shots.AnyAsync(s => s.TeamId == ada.TeamId));
            Assert.False(await db.StylePresets.AnyAsync(p => p.TeamId == ada.TeamId));
        }
        Assert.Null(await blobs.OpenReadAsync(key, CancellationToken.None));
    }

    private async Task<string> TeamNameAsync(Guid teamId)
    {
        await using var db = await Studio.DbAsync();
        return await db.Teams.Where(t => t.Id == teamId).Select(t => t.Name).SingleAsync();
    }

    private async Task<(TestUser User, Guid Board)> BoardAsync()
    {
        var ada = await Studio.RegisterAsync("Ada");
        var project = await Studio.CreateProjectAsync(ada, "Harbour");
        var created = await Boards.CreateAsync(ada.Id, project, "Sea crossing");
        Assert.True(created.Succeeded, created.Error);
        return (ada, created.Id!.Value);
    }

    private static ShotEdit Edit(string title, string prompt, bool continues = false, int seconds = 2) =>
        new(title, prompt, "runway", "gen4.5", "1280:720", seconds, 1000, null, "", continues);

    private async Task SaveAsync(TestUser user, Guid shot, string title, string prompt)
    {
        var result = await Boards.UpdateShotAsync(user.Id, shot, Edit(title, prompt));
        Assert.True(result.Succeeded, result.Error);
    }

    private async Task<List<string>> TitlesAsync(TestUser user, Guid board) =>
        [.. (await Boards.GetAsync(user.Id, board))!.Shots.Select(s => s.Title)];
}
