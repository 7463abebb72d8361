using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Live;

namespace Studio.IntegrationTests.Studio;

/// <summary>A take from submit to archived video, against the emulator over HTTPS, on a real SQLite file.</summary>
public sealed class GenerationLifecycleTests() : EmulatorStudioTest("lifecycle")
{
    [Fact]
    public async Task Submit_WithValidDraft_ReachesReadyWithArchivedVerifiedVideo()
    {
        var user = await Studio.RegisterAsync("Ada");
        var projectId = await Studio.CreateProjectAsync(user);
        var seen = new ConcurrentQueue<GenerationChanged>();
        using var subscription = Studio.Services.GetRequiredService<GenerationNotifier>().Subscribe(change =>
        {
            seen.Enqueue(change);
            return Task.CompletedTask;
        });

        var id = await Studio.SubmitAsync(user, projectId);
        var row = await Studio.WaitForStateAsync(id, GenerationState.Ready);

        // The push for Ready is published right after the commit the poll above saw.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!seen.Any(c => c.GenerationId == id && c.State == GenerationState.Ready) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        var changes = seen.Where(c => c.GenerationId == id).ToList();
        var states = changes.Select(c => c.State).ToList();
        Assert.Equal(GenerationState.Reserved, states.First());
        Assert.Equal(GenerationState.Ready, states.Last());
        Assert.Equal(states.Order().ToList(), states); // forward only, in the order they arrived
        Assert.Equal(
            [GenerationState.Reserved, GenerationState.Submitting, GenerationState.Queued, GenerationState.Running, GenerationState.Archiving, GenerationState.Ready],
            states.Distinct().ToList());
        var versions = changes.Select(c => c.Version).ToList();
        Assert.True(versions.Zip(versions.Skip(1)).All(p => p.Second > p.First), $"versions not increasing: {string.Join(",", versions)}");
        Assert.Equal(row.Version, versions.Last());

        // The provider knows the task the row names, and it succeeded there.
        Assert.False(string.IsNullOrEmpty(row.ProviderTaskId));
        var task = await Emulator.GetTaskAsync(StudioTestHost.ApiKey, row.ProviderTaskId!);
        Assert.Equal("SUCCEEDED", task.GetProperty("status").GetString());
        Assert.Equal(1, await Emulator.DailyGenerationsAsync(StudioTestHost.ApiKey));

        // The archived blob is the verified video.
        Assert.NotNull(row.VideoBlobKey);
        var videoPath = Path.Combine(Studio.BlobsDirectory, row.VideoBlobKey!);
        Assert.True(File.Exists(videoPath), $"no blob at {videoPath}");
        var bytes = await File.ReadAllBytesAsync(videoPath);
        Assert.Equal(row.VideoBytes, bytes.LongLength);
        Assert.Equal(row.VideoSha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(bytes, 4, 4)); // an MP4
        Assert.Equal(1280, row.VideoWidth);
        Assert.Equal(720, row.VideoHeight);
        Assert.Equal("h264", row.VideoCodec);
        Assert.InRange(row.VideoDurationSeconds ?? 0, 1.5, 2.5);

        Assert.NotNull(row.PosterBlobKey);
        var poster = await File.ReadAllBytesAsync(Path.Combine(Studio.BlobsDirectory, row.PosterBlobKey!));
        Assert.True(poster.Length > 100 && poster[0] == 0xFF && poster[1] == 0xD8 && poster[2] == 0xFF, "the poster is not a JPEG");

        Assert.NotNull(row.CompletedAt);
        Assert.Null(row.FailureReason);
        var view = await Studio.Generations.GetAsync(user.Id, id);
        Assert.NotNull(view);
        Assert.True(view.IsReady);
        Assert.False(view.IsSandbox);
    }

    private static readonly Dictionary<string, (GenerationDraft Draft, string Field)> InvalidDrafts = new()
    {
        ["prompt of 1001 characters"] = (StudioTestHost.TextDraft(new string('a', 1001)), GenerationDraftValidator.Fields.Prompt),
        ["GIF first frame"] = (
            StudioTestHost.TextDraft() with { FirstFrame = new FirstFrameImage("loop.gif", "image/gif", [.. "GIF89a"u8, 1, 0, 1, 0, 0, 0, 0, 0x3B]) },
            GenerationDraftValidator.Fields.FirstFrame),
        ["960:960 without an image"] = (StudioTestHost.TextDraft() with { Ratio = "960:960" }, GenerationDraftValidator.Fields.Ratio),
        ["11 seconds"] = (StudioTestHost.TextDraft() with { DurationSeconds = 11 }, GenerationDraftValidator.Fields.Duration),
    };

    [Theory]
    [InlineData("prompt of 1001 characters")]
    [InlineData("GIF first frame")]
    [InlineData("960:960 without an image")]
    [InlineData("11 seconds")]
    public async Task Submit_WhenDraftInvalid_StoresNothing(string why)
    {
        var user = await Studio.RegisterAsync("Ada");
        var projectId = await Studio.CreateProjectAsync(user);

        var (draft, field) = InvalidDrafts[why];

        var result = await Studio.Generations.SubmitAsync(user.Id, projectId, draft);

        Assert.False(result.Succeeded, why);
        Assert.False(result.IsNotFound);
        Assert.Equal([field], result.Errors.Keys);
        Assert.False(string.IsNullOrWhiteSpace(result.Errors[field]));
        await using var db = await Studio.DbAsync();
        Assert.Equal(0, await db.Generations.CountAsync());
        Assert.Empty(Directory.Exists(Studio.BlobsDirectory)
            ? Directory.EnumerateFiles(Studio.BlobsDirectory, "*", SearchOption.AllDirectories)
            : []);
        Assert.Equal(0, await Emulator.DailyGenerationsAsync(StudioTestHost.ApiKey));
    }
}
