using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.Emulator.Media;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Media;
using Studio.Web.Features.Storage;
using Studio.Web.Features.Storyboards;

namespace Studio.IntegrationTests.Storyboards;

/// <summary>
/// A 3-shot storyboard through the provider emulator over HTTPS (Runway API, real credits): shots 2 and 3 continue
/// from the shot before. Generate all makes them in continuity order; the frame the emulator received for shot 2 is
/// the last frame of shot 1's selected take; the final cut lasts as long as its takes together; the export has it all.
/// </summary>
public sealed class StoryboardContinuityTests() : EmulatorStudioTest("storyboard-continuity")
{
    private StoryboardService Boards => Studio.Services.GetRequiredService<StoryboardService>();

    private ShotGeneration Shots => Studio.Services.GetRequiredService<ShotGeneration>();

    private FinalCuts Cuts => Studio.Services.GetRequiredService<FinalCuts>();

    [Fact]
    public async Task Three_shots_continue_frame_to_frame_and_assemble_into_a_cut_as_long_as_its_takes()
    {
        var ada = await Studio.RegisterAsync("Ada");
        var project = await Studio.CreateProjectAsync(ada, "Harbour");
        var board = await CreateBoardAsync(ada, project,
            ("Dawn", "A fishing boat leaves a misty harbour at dawn, slow dolly forward", 2, false),
            ("Open sea", "The boat cuts through grey waves, tracking shot from the side", 3, true),
            ("Gulls", "Gulls circle the mast against a pale sky, camera tilts up", 2, true));

        var preview = await Shots.PreviewAsync(ada.Id, board, takesPerShot: 1, everyShot: false);
        Assert.NotNull(preview);
        Assert.Empty(preview.Problems);
        Assert.Equal([null, 1, 2], preview.Lines.Select(l => l.WaitsFor));
        Assert.Equal(7 * 12_000, preview.Total); // 7 s at Runway's 12 credits a second
        Assert.False(preview.IsSandbox);

        var run = await Shots.GenerateAllAsync(ada.Id, board, takesPerShot: 1, everyShot: false);
        Assert.True(run.Succeeded, run.Error);
        // Only shot 1 starts at once; 2 and 3 wait for the take they continue from.
        var started = await TakesOfAsync(board);
        Assert.Single(started);

        var view = await WaitAsync(board, v => v.Shots.All(s => s.SelectedTake is { IsReady: true }), "every shot has a ready selected take");
        var (one, two, three) = (view.Shots[0], view.Shots[1], view.Shots[2]);
        Assert.Null(view.RunByName);

        // Lineage: each continuing take was made from the previous shot's selected take.
        var rows = await RowsAsync(one.SelectedGenerationId!.Value, two.SelectedGenerationId!.Value, three.SelectedGenerationId!.Value);
        Assert.Null(rows[0].ContinuedFromGenerationId);
        Assert.Equal(one.SelectedGenerationId, rows[1].ContinuedFromGenerationId);
        Assert.Equal(two.SelectedGenerationId, rows[2].ContinuedFromGenerationId);
        Assert.Equal((1, 1), two.Selected!.ContinuedFrom);
        Assert.Equal((2, 1), three.Selected!.ContinuedFrom);
        Assert.All(rows, r => Assert.Equal(GenerationState.Ready, r.State));

        // What the emulator received as shot 2's first frame is, pixel for pixel, the last frame of shot 1's take.
        var sent = await Emulator.RunwayPromptImageAsync(rows[1].ProviderTaskId!);
        Assert.NotNull(sent);
        var lastOfShot1 = await LastFrameRgbAsync(rows[0]);
        var sentRgb = await ImageRgbAsync(sent, rows[0].VideoWidth!.Value, rows[0].VideoHeight!.Value);
        Assert.Equal(lastOfShot1.Length, sentRgb.Length);
        Assert.True(lastOfShot1.AsSpan().SequenceEqual(sentRgb), "shot 2's first frame differs from the last frame of shot 1's selected take");
        // And it is not just any frame of shot 1: its first frame differs.
        Assert.False((await FirstFrameRgbAsync(rows[0])).AsSpan().SequenceEqual(sentRgb));
        // Shot 3 started from shot 2's last frame too.
        var sent3 = await ImageRgbAsync((await Emulator.RunwayPromptImageAsync(rows[2].ProviderTaskId!))!, rows[1].VideoWidth!.Value, rows[1].VideoHeight!.Value);
        Assert.True((await LastFrameRgbAsync(rows[1])).AsSpan().SequenceEqual(sent3));

        // The final cut: the three takes in order, as long as they are together.
        var cut = await Cuts.RequestAsync(ada.Id, board);
        Assert.True(cut.Succeeded, cut.Error);
        view = await WaitAsync(board, v => v.Cuts.FirstOrDefault()?.State is FinalCutState.Ready or FinalCutState.Failed, "the final cut is done");
        var done = view.Cuts[0];
        Assert.True(done.State == FinalCutState.Ready, done.FailureReason);
        Assert.False(done.IsOutdated);
        var film = await Studio.ReadAsync(done.TakeId!.Value);
        Assert.Equal(FinalCuts.Provider, film.Provider);
        Assert.Equal(project, film.ProjectId);
        var takeSeconds = 0.0;
        foreach (var row in rows)
        {
            takeSeconds += (await ProbeAsync(row.VideoBlobKey!)).DurationSeconds!.Value;
        }
        var filmProbe = await ProbeAsync(film.VideoBlobKey!);
        Assert.True(filmProbe.HasVideo);
        Assert.InRange(filmProbe.DurationSeconds!.Value, takeSeconds - 1 / 24.0, takeSeconds + 1 / 24.0);
        Assert.InRange(takeSeconds, 6.9, 7.1);
        Assert.Equal(rows[0].VideoWidth, filmProbe.Width);
        // It is in the gallery, as a take of the project.
        var gallery = await Studio.Generations.ListForProjectAsync(ada.Id, project);
        Assert.Contains(gallery, t => t.Id == film.Id && t.IsFinalCut && t.IsReady);

        // The export: the cut, each selected take, the manifest and the contact sheet.
        var (client, _) = await Studio.SignInAsync(ada);
        using (client)
        {
            using var response = await client.GetAsync(StoryboardExport.ZipUrl(board));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var zipStream = await response.Content.ReadAsStreamAsync();
            using var zip = new ZipArchive(zipStream, ZipArchiveMode.Read);
            var names = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("final-cut.mp4", names);
            Assert.Contains("manifest.json", names);
            Assert.Contains("contact-sheet.pdf", names);
            Assert.Equal(3, names.Count(n => n.StartsWith("shots/", StringComparison.Ordinal) && n.EndsWith(".mp4", StringComparison.Ordinal)));
            Assert.Equal(film.VideoBytes, zip.GetEntry("final-cut.mp4")!.Length);
            using var manifest = await JsonDocument.ParseAsync(zip.GetEntry("manifest.json")!.Open());
            var shots = manifest.RootElement.GetProperty("shots").EnumerateArray().ToList();
            Assert.Equal(3, shots.Count);
            Assert.Equal("Open sea", shots[1].GetProperty("title").GetString());
            var take2 = shots[1].GetProperty("take");
            Assert.Equal("runway", take2.GetProperty("provider").GetString());
            Assert.Equal("gen4.5", take2.GetProperty("model").GetString());
            Assert.Equal(rows[1].Seed, take2.GetProperty("seed").GetInt64());
            Assert.Equal(one.SelectedGenerationId!.Value, take2.GetProperty("continuedFromTakeId").GetGuid());
            Assert.Equal(36.0, take2.GetProperty("credits").GetDouble()); // 3 s × 12, as the emulator charged
            Assert.Equal("the studio (first finished take)", shots[1].GetProperty("selectedBy").GetString());
            var pdf = new byte[5];
            await using (var sheet = zip.GetEntry("contact-sheet.pdf")!.Open())
            {
                await sheet.ReadExactlyAsync(pdf);
            }
            Assert.Equal("%PDF-"u8.ToArray(), pdf);

            // The player's Download saves the final cut under the storyboard's name.
            using var download = await client.GetAsync(MediaEndpoints.DownloadUrl(film.Id), HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("attachment; filename=\"the-crossing-final-cut.mp4\"", download.Content.Headers.ContentDisposition?.ToString());
        }

        // Another team's member learns nothing: the export and the contact sheet answer 404.
        var eve = await Studio.RegisterAsync("Eve");
        var (outsider, _) = await Studio.SignInAsync(eve);
        using (outsider)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync(StoryboardExport.ZipUrl(board))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync(StoryboardExport.ContactSheetUrl(board))).StatusCode);
            Assert.Null(await Boards.GetAsync(eve.Id, board));
        }
    }

    [Fact]
    public async Task Choosing_another_take_upstream_marks_the_downstream_take_stale_and_a_new_take_matches_again()
    {
        var ada = await Studio.RegisterAsync("Ada");
        var project = await Studio.CreateProjectAsync(ada, "Harbour");
        var board = await CreateBoardAsync(ada, project,
            ("Dawn", "A fishing boat leaves a misty harbour at dawn, slow dolly forward", 2, false),
            ("Open sea", "The boat cuts through grey waves, tracking shot from the side", 2, true));
        Assert.True((await Shots.GenerateAllAsync(ada.Id, board, 1, everyShot: false)).Succeeded);
        var view = await WaitAsync(board, v => v.Shots.All(s => s.SelectedTake is { IsReady: true }), "both shots have a take");
        Assert.False(view.Shots[1].SelectedIsStale);

        // A second take of shot 1, chosen by hand: shot 2's take was made from the first one, so it is stale now.
        var second = await Shots.GenerateShotAsync(ada.Id, view.Shots[0].Id);
        Assert.True(second.Succeeded, second.Error);
        await Studio.WaitForStateAsync(second.Id!.Value, GenerationState.Ready);
        Assert.True((await Boards.SelectTakeAsync(ada.Id, view.Shots[0].Id, second.Id.Value)).Succeeded);
        view = (await Boards.GetAsync(ada.Id, board))!;
        Assert.Equal("Ada", view.Shots[0].SelectedBy);
        Assert.True(view.Shots[1].SelectedIsStale);
        Assert.True(view.Shots[1].Takes.Single().IsStale);

        // Regenerating shot 2 continues from the new choice; that take is not stale.
        var again = await Shots.GenerateShotAsync(ada.Id, view.Shots[1].Id);
        Assert.True(again.Succeeded, again.Error);
        await Studio.WaitForStateAsync(again.Id!.Value, GenerationState.Ready);
        Assert.Equal(second.Id, (await Studio.ReadAsync(again.Id.Value)).ContinuedFromGenerationId);
        view = (await Boards.GetAsync(ada.Id, board))!;
        var fresh = view.Shots[1].Takes.Single(t => t.Take.Id == again.Id);
        Assert.False(fresh.IsStale);
        Assert.Equal((1, 2), fresh.ContinuedFrom);
    }

    private async Task<Guid> CreateBoardAsync(TestUser user, Guid project, params (string Title, string Prompt, int Seconds, bool Continue)[] shots)
    {
        var created = await Boards.CreateAsync(user.Id, project, "The crossing");
        Assert.True(created.Succeeded, created.Error);
        var board = created.Id!.Value;
        for (var i = 1; i < shots.Length; i++)
        {
            Assert.True((await Boards.AddShotAsync(user.Id, board)).Succeeded);
        }
        var view = (await Boards.GetAsync(user.Id, board))!;
        for (var i = 0; i < shots.Length; i++)
        {
            var (title, prompt, seconds, continues) = shots[i];
            var saved = await Boards.UpdateShotAsync(user.Id, view.Shots[i].Id,
                new ShotEdit(title, prompt, "runway", "gen4.5", "1280:720", seconds, 1000 + i, null, "", continues));
            Assert.True(saved.Succeeded, saved.Error);
        }
        return board;
    }

    private async Task<StoryboardView> WaitAsync(Guid board, Func<StoryboardView, bool> condition, string what, int timeoutSeconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        var user = await OwnerAsync(board);
        while (true)
        {
            var view = (await Boards.GetAsync(user, board))!;
            if (condition(view))
            {
                return view;
            }
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Never true: {what}. Shots: " + string.Join("; ", view.Shots.Select(s =>
                    $"{s.Number}: {string.Join(",", s.Takes.Select(t => t.Take.State + " " + t.Take.FailureReason))} pending {s.PendingTakes} {s.RunError}")));
            }
            await Task.Delay(100);
        }
    }

    private async Task<string> OwnerAsync(Guid board)
    {
        await using var db = await Studio.DbAsync();
        return await db.Storyboards.Where(b => b.Id == board).Select(b => b.CreatedByUserId).SingleAsync();
    }

    private async Task<List<Generation>> TakesOfAsync(Guid board)
    {
        await using var db = await Studio.DbAsync();
        var shots = db.Shots.Where(s => s.StoryboardId == board).Select(s => s.Id);
        return await db.Generations.AsNoTracking().Where(g => g.ShotId != null && shots.Contains(g.ShotId.Value)).ToListAsync();
    }

    private async Task<List<Generation>> RowsAsync(params Guid[] ids)
    {
        var rows = new List<Generation>();
        foreach (var id in ids)
        {
            rows.Add(await Studio.ReadAsync(id));
        }
        return rows;
    }

    private FfmpegProcess Ffmpeg => Studio.Services.GetRequiredService<FfmpegProcess>();

    private async Task<VideoProbeResult> ProbeAsync(string key)
    {
        var path = await DownloadAsync(key);
        return await Studio.Services.GetRequiredService<VideoProbe>().ProbeAsync(path, CancellationToken.None);
    }

    private async Task<string> DownloadAsync(string key)
    {
        var path = Path.Combine(Studio.DataDirectory, "test-" + Guid.NewGuid().ToString("N") + ".mp4");
        Assert.True(await Studio.Services.GetRequiredService<IBlobStore>().DownloadToFileAsync(key, path, CancellationToken.None));
        return path;
    }

    /// <summary>Every frame of the take decoded to RGB, independently of the studio's extraction: the last frame's bytes.</summary>
    private async Task<byte[]> LastFrameRgbAsync(Generation take)
    {
        var all = await DecodeAsync(await DownloadAsync(take.VideoBlobKey!), []);
        var size = take.VideoWidth!.Value * take.VideoHeight!.Value * 3;
        Assert.True(all.Length % size == 0 && all.Length >= 2 * size);
        return all[^size..];
    }

    private async Task<byte[]> FirstFrameRgbAsync(Generation take) =>
        await DecodeAsync(await DownloadAsync(take.VideoBlobKey!), ["-frames:v", "1"]);

    private async Task<byte[]> ImageRgbAsync(byte[] image, int width, int height)
    {
        var path = Path.Combine(Studio.DataDirectory, "sent-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(path, image);
        var rgb = await DecodeAsync(path, []);
        Assert.Equal(width * height * 3, rgb.Length);
        return rgb;
    }

    private async Task<byte[]> DecodeAsync(string input, string[] extra)
    {
        var output = Path.Combine(Studio.DataDirectory, "rgb-" + Guid.NewGuid().ToString("N") + ".raw");
        await Ffmpeg.RunFfmpegAsync(["-hide_banner", "-y", "-i", input, .. extra, "-f", "rawvideo", "-pix_fmt", "rgb24", output], CancellationToken.None);
        return await File.ReadAllBytesAsync(output);
    }
}
