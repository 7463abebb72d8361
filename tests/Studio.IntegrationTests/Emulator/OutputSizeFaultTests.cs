using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Studio.IntegrationTests.Emulator;

/// <summary>
/// <c>output-size(mb=N)</c>: the output download weighs exactly N MiB (the MP4 followed by one <c>free</c> box), is still
/// the same video to ffprobe, answers HEAD and byte ranges, and combines with the other download faults.
/// </summary>
public sealed class OutputSizeFaultTests(FaultEmulatorFixture fixture) : IClassFixture<FaultEmulatorFixture>
{
    private const long ThreeMiB = 3L * 1024 * 1024;
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Output_size_at_Runway_pads_the_download_to_exactly_3_MiB_and_it_is_still_the_same_video()
    {
        var url = await RunwayOutputAsync("[[fault: output-size(mb=3)]]");

        await AssertPaddedVideoAsync(url, ThreeMiB, width: 1280, height: 720, seconds: 2);
    }

    [Fact]
    public async Task Output_size_at_Runware_pads_the_download_to_exactly_3_MiB_and_it_is_still_the_same_video()
    {
        using var runware = fixture.Runware();
        var taskUuid = Guid.NewGuid();
        var (created, _) = await FaultTestRequests.PostRunwareAsync(runware, FaultTestRequests.Runware("[[fault: output-size(mb=3)]]", taskUuid));
        created.Dispose();
        var item = await FaultTestRequests.WaitForRunwareAsync(runware, taskUuid, TaskTimeout);
        Assert.Equal("success", item.GetProperty("status").GetString());

        await AssertPaddedVideoAsync(item.GetProperty("videoURL").GetString()!, ThreeMiB, width: 1280, height: 720, seconds: 2);
    }

    [Fact]
    public async Task Output_size_at_kie_takes_a_fractional_size_and_answers_HEAD_with_the_padded_length()
    {
        using var kie = fixture.Kie();
        var taskId = await KieTestRequests.CreateAsync(kie, FaultTestRequests.Kie("[[fault: output-size(mb=2.5)]]"));
        var (_, final) = await KieTestRequests.WaitForTerminalAsync(kie, taskId, TaskTimeout);
        var url = final.GetProperty("videoInfo").GetProperty("videoUrl").GetString()!;

        using (var head = await fixture.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, url)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(2560L * 1024, head.Content.Headers.ContentLength);
            Assert.Equal("video/mp4", head.Content.Headers.ContentType?.MediaType);
            Assert.Contains("bytes", head.Headers.AcceptRanges);
        }

        Assert.Equal(2560L * 1024, (await fixture.Anonymous.GetByteArrayAsync(url)).LongLength);
    }

    [Fact]
    public async Task Output_size_keeps_output_403_and_output_truncate_in_charge_and_the_padded_download_works_after_them()
    {
        // Runway: the first download is refused as expired, the fresh link is padded.
        var id = await RunwayTestRequests.CreateAsync(fixture.Runway, "v1/text_to_video", FaultTestRequests.Runway("[[fault: output-size(mb=3); output-403]]"));
        var (_, final) = await RunwayTestRequests.WaitForTerminalAsync(fixture.Runway, id, TaskTimeout);
        using (var expired = await fixture.Anonymous.GetAsync(final.GetProperty("output")[0].GetString()!))
        {
            Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        }

        var fresh = (await RunwayTestRequests.GetTaskAsync(fixture.Runway, id)).GetProperty("output")[0].GetString()!;
        Assert.Equal(ThreeMiB, (await fixture.Anonymous.GetByteArrayAsync(fresh)).LongLength);

        // Pixazo: a truncated download declares the padded length and closes after half of it; the next one is whole.
        using var pixazo = fixture.Pixazo();
        var (created, accepted) = await FaultTestRequests.PostPixazoAsync(pixazo, FaultTestRequests.Pixazo("[[fault: output-truncate; output-size(mb=3)]]"));
        created.Dispose();
        var (_, pixazoFinal) = await PixazoTestRequests.WaitForTerminalAsync(pixazo, accepted.GetProperty("request_id").GetString()!);
        var url = pixazoFinal.GetProperty("output").GetProperty("media_url")[0].GetString()!;

        using (var truncated = await fixture.Anonymous.GetAsync(url, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(ThreeMiB, truncated.Content.Headers.ContentLength);
            var read = 0L;
            var error = await Record.ExceptionAsync(async () =>
            {
                await using var stream = await truncated.Content.ReadAsStreamAsync();
                var buffer = new byte[81920];
                int n;
                while ((n = await stream.ReadAsync(buffer)) > 0)
                {
                    read += n;
                }
            });
            Assert.True(error is HttpRequestException or IOException, $"expected a broken download, got {error?.GetType().Name ?? "none"} after {read} bytes");
            Assert.InRange(read, 0, ThreeMiB / 2); // the abort may discard some of the half still in flight
        }

        Assert.Equal(ThreeMiB, (await fixture.Anonymous.GetByteArrayAsync(url)).LongLength);
    }

    [Fact]
    public async Task Output_size_is_accepted_as_the_per_run_default()
    {
        using var root = fixture.Root();
        using (var set = await root.PostAsJsonAsync("_emulator/faults", new { directive = "output-size(mb=1.25)" }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            Assert.Equal("[[fault: output-size(mb=1.25)]]", (await set.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("directive").GetString());
        }

        string url;
        try
        {
            var body = FaultTestRequests.Runway(string.Empty);
            url = await RunwayOutputAsync(body);
        }
        finally
        {
            (await root.DeleteAsync("_emulator/faults")).Dispose();
        }

        Assert.Equal(1280L * 1024, (await fixture.Anonymous.GetByteArrayAsync(url)).LongLength);
    }

    [Fact]
    public async Task Output_size_below_the_videos_own_size_leaves_the_download_as_it_is()
    {
        var plain = await fixture.Anonymous.GetByteArrayAsync(await RunwayOutputAsync(string.Empty));
        var small = await fixture.Anonymous.GetByteArrayAsync(await RunwayOutputAsync("[[fault: output-size(mb=0.01)]]"));

        Assert.True(plain.Length > 0.01 * 1024 * 1024);
        Assert.Equal(plain, small);
    }

    private Task<string> RunwayOutputAsync(string directive) => RunwayOutputAsync(FaultTestRequests.Runway(directive));

    private async Task<string> RunwayOutputAsync(object body)
    {
        var id = await RunwayTestRequests.CreateAsync(fixture.Runway, "v1/text_to_video", body);
        var (_, final) = await RunwayTestRequests.WaitForTerminalAsync(fixture.Runway, id, TaskTimeout);
        Assert.Equal("SUCCEEDED", final.GetProperty("status").GetString());
        return final.GetProperty("output")[0].GetString()!;
    }

    /// <summary>
    /// The download at <paramref name="url"/> is <paramref name="length"/> bytes ending in one top-level <c>free</c> box,
    /// ffprobe reads it as the video asked for, and a range near the end comes back as 206 with the same bytes.
    /// </summary>
    private async Task AssertPaddedVideoAsync(string url, long length, int width, int height, double seconds)
    {
        using var response = await fixture.Anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(length, response.Content.Headers.ContentLength);
        Assert.Equal("video/mp4", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("bytes", response.Headers.AcceptRanges);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(length, bytes.LongLength);

        var lastBox = TopLevelBoxes(bytes)[^1];
        Assert.Equal("free", lastBox.Type);
        Assert.Equal(length, lastBox.Offset + lastBox.Size);
        var filler = bytes.AsSpan((int)lastBox.Offset + 8);
        Assert.True(filler.Length > 1024 * 1024, $"only {filler.Length} bytes of padding");
        Assert.True(filler.IndexOfAnyExcept((byte)0) >= 0 && filler[..65536].ToArray().Distinct().Count() > 200, "the filler should not be one repeated byte");

        var path = Path.Combine(Path.GetTempPath(), $"output-size-{Guid.NewGuid():N}.mp4");
        try
        {
            await File.WriteAllBytesAsync(path, bytes);
            var video = await ProbedVideo.ProbeAsync(fixture.Ffmpeg, path);
            Assert.Equal(("h264", width, height), (video.CodecName, video.Width, video.Height));
            Assert.InRange(video.DurationSeconds, seconds - 0.5, seconds + 0.5);
        }
        finally
        {
            File.Delete(path);
        }

        var from = length - 100_000;
        using var ranged = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new RangeHeaderValue(from, length - 50_001) } };
        using var partial = await fixture.Anonymous.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal((from, length - 50_001, length), (partial.Content.Headers.ContentRange?.From, partial.Content.Headers.ContentRange?.To, partial.Content.Headers.ContentRange?.Length));
        Assert.Equal(bytes.AsSpan((int)from, 50_000).ToArray(), await partial.Content.ReadAsByteArrayAsync());

        using var suffix = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new RangeHeaderValue(null, 10) } };
        using var tail = await fixture.Anonymous.SendAsync(suffix);
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(bytes.AsSpan((int)length - 10).ToArray(), await tail.Content.ReadAsByteArrayAsync());

        using var beyond = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new RangeHeaderValue(length, null) } };
        using var unsatisfiable = await fixture.Anonymous.SendAsync(beyond);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.Equal(length, unsatisfiable.Content.Headers.ContentRange?.Length);
    }

    /// <summary>The top-level MP4 boxes of <paramref name="file"/>, walked by their sizes from the start.</summary>
    private static List<(string Type, long Offset, long Size)> TopLevelBoxes(byte[] file)
    {
        var boxes = new List<(string, long, long)>();
        long offset = 0;
        while (offset + 8 <= file.Length)
        {
            var size = (long)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan((int)offset));
            var type = System.Text.Encoding.ASCII.GetString(file, (int)offset + 4, 4);
            if (size == 1)
            {
                size = (long)BinaryPrimitives.ReadUInt64BigEndian(file.AsSpan((int)offset + 8));
            }
            else if (size == 0)
            {
                size = file.Length - offset;
            }

            Assert.True(size >= 8 && offset + size <= file.Length, $"box {type} at {offset} has a bad size {size}");
            boxes.Add((type, offset, size));
            offset += size;
        }

        Assert.Equal(file.Length, offset);
        return boxes;
    }
}
