using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Studio.Emulator;

namespace Studio.IntegrationTests.Emulator;

/// <summary>
/// The emulator's fault modes over real HTTP: directives in the prompt (<c>[[fault: ...]]</c>), the per-run default
/// (<c>/_emulator/faults</c>) and the create counts (<c>/_emulator/stats</c>).
/// </summary>
public sealed class FaultModeTests(FaultEmulatorFixture fixture) : IClassFixture<FaultEmulatorFixture>
{
    private static readonly TimeSpan TaskTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Create_429_answers_with_Retry_After_and_makes_no_task_then_the_same_create_succeeds()
    {
        var body = FaultTestRequests.Runway("[[fault: create-429(retryAfter=3)]]");
        var prompt = FaultTestRequests.Scene + "[[fault: create-429(retryAfter=3)]]";

        using (var refused = await fixture.Runway.PostAsJsonAsync("v1/text_to_video", body))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(3), refused.Headers.RetryAfter?.Delta);
            Assert.True((await refused.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("error", out _));
        }

        Assert.False((await fixture.StatsAsync()).GetProperty("createsByPrompt").TryGetProperty(prompt, out _));

        var id = await RunwayTestRequests.CreateAsync(fixture.Runway, "v1/text_to_video", body);
        Assert.True(Guid.TryParse(id, out _));
        var stats = await fixture.StatsAsync();
        Assert.Equal(1, stats.GetProperty("createsByPrompt").GetProperty(prompt).GetInt32());
    }

    [Fact]
    public async Task Create_5xx_refuses_count_times_with_the_status_asked_for()
    {
        var directive = "[[fault: create-5xx(count=2,status=502)]]";
        using var kie = fixture.Kie();
        for (var i = 0; i < 2; i++)
        {
            var (http, envelope) = await KieTestRequests.PostAsync(kie, "api/v1/runway/generate", FaultTestRequests.Kie(directive));
            Assert.Equal(502, http);
            Assert.Equal(502, envelope.GetProperty("code").GetInt32());
        }

        var taskId = await KieTestRequests.CreateAsync(kie, FaultTestRequests.Kie(directive));
        Assert.False(string.IsNullOrEmpty(taskId));
        Assert.Equal(1, (await fixture.StatsAsync()).GetProperty("createsByPrompt").GetProperty(FaultTestRequests.Scene + directive).GetInt32());
    }

    [Fact]
    public async Task Create_402_is_each_providers_insufficient_balance_answer()
    {
        const string directive = "[[fault: create-402]]";
        using (var runway = await fixture.Runway.PostAsJsonAsync("v1/text_to_video", FaultTestRequests.Runway(directive)))
        {
            Assert.Equal(HttpStatusCode.PaymentRequired, runway.StatusCode);
            Assert.True((await runway.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("error", out _));
        }

        using var pixazo = fixture.Pixazo();
        var (pixazoResponse, pixazoBody) = await FaultTestRequests.PostPixazoAsync(pixazo, FaultTestRequests.Pixazo(directive));
        using (pixazoResponse)
        {
            Assert.Equal(HttpStatusCode.PaymentRequired, pixazoResponse.StatusCode);
            Assert.Equal("Insufficient Balance", pixazoBody.GetProperty("error").GetString());
        }

        using var runware = fixture.Runware();
        var (runwareResponse, runwareBody) = await FaultTestRequests.PostRunwareAsync(runware, FaultTestRequests.Runware(directive, Guid.NewGuid()));
        using (runwareResponse)
        {
            Assert.Equal(HttpStatusCode.PaymentRequired, runwareResponse.StatusCode);
            Assert.Equal("insufficientCredits", runwareBody.GetProperty("errors")[0].GetProperty("code").GetString());
        }

        using var kie = fixture.Kie();
        var (kieHttp, kieEnvelope) = await KieTestRequests.PostAsync(kie, "api/v1/runway/generate", FaultTestRequests.Kie(directive));
        Assert.Equal(200, kieHttp);
        Assert.Equal(402, kieEnvelope.GetProperty("code").GetInt32());

        Assert.False((await fixture.StatsAsync()).GetProperty("createsByPrompt").TryGetProperty(FaultTestRequests.Scene + directive, out _));
    }

    [Fact]
    public async Task Create_reset_makes_and_counts_the_task_but_the_client_gets_a_connection_error()
    {
        const string directive = "[[fault: create-reset]]";
        var body = FaultTestRequests.Runway(directive);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => fixture.Runway.PostAsJsonAsync("v1/text_to_video", body));

        var stats = await fixture.StatsAsync();
        Assert.Equal(1, stats.GetProperty("createsByPrompt").GetProperty(FaultTestRequests.Scene + directive).GetInt32());
        var hash = Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(
            new { duration = 2, model = "gen4.5", promptText = FaultTestRequests.Scene + directive, ratio = "1280:720", seed = 11 })));
        Assert.Equal(1, stats.GetProperty("createsByBody").GetProperty(hash).GetInt32());
        Assert.True(stats.GetProperty("byProvider").GetProperty("runway").GetInt32() >= 1);
        Assert.True(stats.GetProperty("creates").GetInt32() >= 1);

        // Runware's way out: the task exists under the taskUUID the client chose.
        using var runware = fixture.Runware();
        var taskUuid = Guid.NewGuid();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => FaultTestRequests.PostRunwareAsync(runware, FaultTestRequests.Runware(directive, taskUuid)));
        var item = await FaultTestRequests.WaitForRunwareAsync(runware, taskUuid, TaskTimeout);
        Assert.Equal("success", item.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Create_timeout_answers_normally_only_after_the_wait()
    {
        using var pixazo = fixture.Pixazo();
        var watch = Stopwatch.StartNew();
        var (response, body) = await FaultTestRequests.PostPixazoAsync(pixazo, FaultTestRequests.Pixazo("[[fault: create-timeout(seconds=2)]]"));
        using (response)
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.9), $"answered after {watch.Elapsed}");
        Assert.StartsWith("runway-gen-4-5_", body.GetProperty("request_id").GetString());
    }

    [Fact]
    public async Task Status_5xx_twice_then_the_task_reads_normally_and_completes()
    {
        var id = await RunwayTestRequests.CreateAsync(fixture.Runway, "v1/text_to_video", FaultTestRequests.Runway("[[fault: status-5xx(count=2)]]"));
        for (var i = 0; i < 2; i++)
        {
            using var failed = await fixture.Runway.GetAsync($"v1/tasks/{id}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            Assert.True((await failed.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("error", out _));
        }

        var (_, final) = await RunwayTestRequests.WaitForTerminalAsync(fixture.Runway, id, TaskTimeout);
        Assert.Equal("SUCCEEDED", final.GetProperty("status").GetString());

        // The same on the other three, in their own shapes.
        using var pixazo = fixture.Pixazo();
        var (created, accepted) = await FaultTestRequests.PostPixazoAsync(pixazo, FaultTestRequests.Pixazo("[[fault: status-429(retryAfter=2); status-5xx(status=500)]]"));
        created.Dispose();
        var requestId = accepted.GetProperty("request_id").GetString()!;
        using (var limited = await pixazo.GetAsync("v2/requests/status/" + requestId))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), limited.Headers.RetryAfter?.Delta);
        }

        using (var broken = await pixazo.GetAsync("v2/requests/status/" + requestId))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, broken.StatusCode);
        }

        Assert.Equal("COMPLETED", (await PixazoTestRequests.WaitForTerminalAsync(pixazo, requestId)).Final.GetProperty("status").GetString());

        using var runware = fixture.Runware();
        var taskUuid = Guid.NewGuid();
        (await FaultTestRequests.PostRunwareAsync(runware, FaultTestRequests.Runware("[[fault: status-5xx]]", taskUuid))).Response.Dispose();
        var (unavailable, errors) = await FaultTestRequests.PostRunwareAsync(runware, FaultTestRequests.GetResponse(taskUuid));
        using (unavailable)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
            Assert.Equal("serviceUnavailable", errors.GetProperty("errors")[0].GetProperty("code").GetString());
        }

        Assert.Equal("success", (await FaultTestRequests.WaitForRunwareAsync(runware, taskUuid, TaskTimeout)).GetProperty("status").GetString());

        using var kie = fixture.Kie();
        var taskId = await KieTestRequests.CreateAsync(kie, FaultTestRequests.Kie("[[fault: status-5xx(count=1)]]"));
        using (var kieBroken = await kie.GetAsync($"api/v1/runway/record-detail?taskId={taskId}"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, kieBroken.StatusCode);
            Assert.Equal(503, (await kieBroken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetInt32());
        }

        Assert.Equal("success", (await KieTestRequests.WaitForTerminalAsync(kie, taskId, TaskTimeout)).Final.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Throttled_reports_THROTTLED_for_its_seconds_then_runs_the_normal_timeline()
    {
        var id = await RunwayTestRequests.CreateAsync(fixture.Runway, "v1/text_to_video", FaultTestRequests.Runway("[[fault: throttled(seconds=2)]]"));
        var watch = Stopwatch.StartNew();
        var (seen, final) = await RunwayTestRequests.WaitForTerminalAsync(fixture.Runway, id, TaskTimeout);

        Assert.Equal("THROTTLED", seen[0].Status);
        var statuses = seen.Select(s => s.Status).Distinct().ToList();
        Assert.Equal(["THROTTLED", "PENDING", "RUNNING", "SUCCEEDED"], statuses);
        Assert.Equal("SUCCEEDED", final.GetProperty("status").GetString());
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2.5), $"done after {watch.Elapsed}");
    }

    [Fact]
    public async Task Moderation_fails_the_task_the_way_each_provider_reports_it()
    {
        const string directive = "[[fault: moderation]]";
        var id = await RunwayTestRequests.CreateAsync(fixture.Runway, "v1/text_to_video", FaultTestRequests.Runway(directive));
        var (_, runwayFinal) = await RunwayTestRequests.WaitForTerminalAsync(fixture.Runway, id, TaskTimeout);
        Assert.Equal("FAILED", runwayFinal.GetProperty("status").GetString());
        Assert.Equal("SAFETY.INPUT.TEXT", runwayFinal.GetProperty("failureCode").GetString());

        using var pixazo = fixture.Pixazo();
        var (created, accepted) = await FaultTestRequests.PostPixazoAsync(pixazo, FaultTestRequests.Pixazo(directive));
        created.Dispose();
        var (_, pixazoFinal) = await PixazoTestRequests.WaitForTerminalAsync(pixazo, accepted.GetProperty("request_id").GetString()!);
        Assert.Equal("FAILED", pixazoFinal.GetProperty("status").GetString());
        Assert.Contains("moderation", pixazoFinal.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);

        using var runware = fixture.Runware();
        var taskUuid = Guid.NewGuid();
        (await FaultTestRequests.PostRunwareAsync(runware, FaultTestRequests.Runware(directive, taskUuid))).Response.Dispose();
        var error = await FaultTestRequests.WaitForRunwareAsync(runware, taskUuid, TaskTimeout);
        Assert.Equal("contentModerated", error.GetProperty("code").GetString());

        using var kie = fixture.Kie();
        var taskId = await KieTestRequests.CreateAsync(kie, FaultTestRequests.Kie(directive));
        var (_, kieFinal) = await KieTestRequests.WaitForTerminalAsync(kie, taskId, TaskTimeout);
        Assert.Equal("fail", kieFinal.GetProperty("state").GetString());
        Assert.Equal(400, kieFinal.GetProperty("failCode").GetInt32());
        Assert.Contains("inappropriate content", kieFinal.GetProperty("failMsg").GetString());
    }

    [Fact]
    public async Task Output_403_expires_the_link_and_a_re_read_hands_out_a_fresh_one_that_works()
    {
        var id = await RunwayTestRequests.CreateAsync(fixture.Runway, "v1/text_to_video", FaultTestRequests.Runway("[[fault: output-403]]"));
        var (_, final) = await RunwayTestRequests.WaitForTerminalAsync(fixture.Runway, id, TaskTimeout);
        var first = final.GetProperty("output")[0].GetString()!;
        using (var expired = await fixture.Anonymous.GetAsync(first))
        {
            Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        }

        using (var stillExpired = await fixture.Anonymous.GetAsync(first))
        {
            Assert.Equal(HttpStatusCode.Forbidden, stillExpired.StatusCode);
        }

        var fresh = (await RunwayTestRequests.GetTaskAsync(fixture.Runway, id)).GetProperty("output")[0].GetString()!;
        Assert.NotEqual(first, fresh);
        var bytes = await fixture.Anonymous.GetByteArrayAsync(fresh);
        Assert.True(bytes.Length > 1000);

        // kie's links normally never change; after a 403 the re-read one does.
        using var kie = fixture.Kie();
        var taskId = await KieTestRequests.CreateAsync(kie, FaultTestRequests.Kie("[[fault: output-403(count=1)]]"));
        var (_, kieFinal) = await KieTestRequests.WaitForTerminalAsync(kie, taskId, TaskTimeout);
        var kieFirst = kieFinal.GetProperty("videoInfo").GetProperty("videoUrl").GetString()!;
        using (var kieExpired = await fixture.Anonymous.GetAsync(kieFirst))
        {
            Assert.Equal(HttpStatusCode.Forbidden, kieExpired.StatusCode);
        }

        var kieFresh = (await KieTestRequests.DetailAsync(kie, taskId)).GetProperty("videoInfo").GetProperty("videoUrl").GetString()!;
        Assert.NotEqual(kieFirst, kieFresh);
        Assert.True((await fixture.Anonymous.GetByteArrayAsync(kieFresh)).Length > 1000);
    }

    [Fact]
    public async Task Output_stall_sends_half_then_goes_silent_and_output_truncate_closes_early_then_downloads_work()
    {
        using var pixazo = fixture.Pixazo();
        var (created, accepted) = await FaultTestRequests.PostPixazoAsync(pixazo, FaultTestRequests.Pixazo("[[fault: output-stall(seconds=3); output-truncate]]"));
        created.Dispose();
        var (_, final) = await PixazoTestRequests.WaitForTerminalAsync(pixazo, accepted.GetProperty("request_id").GetString()!);
        var url = final.GetProperty("output").GetProperty("media_url")[0].GetString()!;

        // Stall: headers with the full length, half the bytes, then nothing for 3 s, then the connection drops.
        var watch = Stopwatch.StartNew();
        var (stalledLength, stalledRead, stalledError) = await ReadAllAsync(url);
        Assert.NotNull(stalledError);
        Assert.True(stalledRead < stalledLength && stalledRead >= stalledLength / 2, $"read {stalledRead} of {stalledLength}");
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2.5), $"dropped after {watch.Elapsed}");

        // Truncate: the full length declared, the connection closed after half, at once.
        watch.Restart();
        var (truncatedLength, truncatedRead, truncatedError) = await ReadAllAsync(url);
        Assert.NotNull(truncatedError);
        Assert.Equal(stalledLength, truncatedLength);
        Assert.True(truncatedRead < truncatedLength, $"read {truncatedRead} of {truncatedLength}");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2.5), $"closed after {watch.Elapsed}");

        var (fullLength, fullRead, fullError) = await ReadAllAsync(url);
        Assert.Null(fullError);
        Assert.Equal(fullLength, fullRead);
    }

    [Fact]
    public async Task Callback_duplicate_delivers_the_terminal_callback_times_times_for_pixazo_runware_and_kie()
    {
        var receiver = fixture.Receiver;
        using var pixazo = fixture.Pixazo();
        (await FaultTestRequests.PostPixazoAsync(pixazo, FaultTestRequests.Pixazo("[[fault: callback-duplicate(times=3)]]"), receiver.Hook("dup-pixazo"))).Response.Dispose();
        using var runware = fixture.Runware();
        (await FaultTestRequests.PostRunwareAsync(runware, FaultTestRequests.Runware("[[fault: callback-duplicate(times=3)]]", Guid.NewGuid(), receiver.Hook("dup-runware")))).Response.Dispose();
        using var kie = fixture.Kie();
        await KieTestRequests.CreateAsync(kie, FaultTestRequests.Kie("[[fault: callback-duplicate(times=3)]]", receiver.Hook("dup-kie")));

        var pixazoHooks = await receiver.WaitForAsync("dup-pixazo", 3, TaskTimeout);
        Assert.Equal(3, pixazoHooks.Count);
        Assert.All(pixazoHooks, h => Assert.Equal("COMPLETED", h.Body.GetProperty("status").GetString()));

        var runwareHooks = await receiver.WaitForAsync("dup-runware", 3, TaskTimeout);
        Assert.Equal(3, runwareHooks.Count);
        Assert.All(runwareHooks, h => Assert.Equal("success", h.Body.GetProperty("status").GetString()));

        var kieHooks = await receiver.WaitForAsync("dup-kie", 3, TaskTimeout);
        Assert.Equal(3, kieHooks.Count);
        Assert.All(kieHooks, h => Assert.Equal(200, h.Body.GetProperty("code").GetInt32()));
    }

    [Fact]
    public async Task Callback_delay_delivers_the_terminal_callback_late()
    {
        var receiver = fixture.Receiver;
        using var runware = fixture.Runware();
        var taskUuid = Guid.NewGuid();
        var createdAt = DateTimeOffset.UtcNow;
        (await FaultTestRequests.PostRunwareAsync(runware, FaultTestRequests.Runware("[[fault: callback-delay(seconds=3)]]", taskUuid, receiver.Hook("late-runware")))).Response.Dispose();

        // The task is done (by getResponse) well before its webhook arrives.
        var item = await FaultTestRequests.WaitForRunwareAsync(runware, taskUuid, TaskTimeout);
        var doneAt = DateTimeOffset.UtcNow;
        Assert.Equal("success", item.GetProperty("status").GetString());
        await Task.Delay(1000);
        Assert.Empty(receiver.Received("late-runware"));

        var hooks = await receiver.WaitForAsync("late-runware", 1, TaskTimeout);
        Assert.Single(hooks);
        Assert.True(hooks[0].At - createdAt >= TimeSpan.FromSeconds(3 + 1.3 - 0.3), $"arrived {hooks[0].At - createdAt} after the create");
        Assert.True(hooks[0].At > doneAt);
    }

    [Fact]
    public async Task Callback_out_of_order_sends_an_earlier_non_terminal_callback_after_the_terminal_one()
    {
        var receiver = fixture.Receiver;
        const string directive = "[[fault: callback-out-of-order]]";
        using var pixazo = fixture.Pixazo();
        (await FaultTestRequests.PostPixazoAsync(pixazo, FaultTestRequests.Pixazo(directive), receiver.Hook("ooo-pixazo"))).Response.Dispose();
        using var runware = fixture.Runware();
        (await FaultTestRequests.PostRunwareAsync(runware, FaultTestRequests.Runware(directive, Guid.NewGuid(), receiver.Hook("ooo-runware")))).Response.Dispose();
        using var kie = fixture.Kie();
        var kieTask = await KieTestRequests.CreateAsync(kie, FaultTestRequests.Kie(directive, receiver.Hook("ooo-kie")));

        var pixazoHooks = await receiver.WaitForAsync("ooo-pixazo", 2, TaskTimeout);
        Assert.Equal(["COMPLETED", "PROCESSING"], pixazoHooks.Select(h => h.Body.GetProperty("status").GetString()));
        Assert.Equal(JsonValueKind.Null, pixazoHooks[1].Body.GetProperty("output").ValueKind);

        var runwareHooks = await receiver.WaitForAsync("ooo-runware", 2, TaskTimeout);
        Assert.Equal(["success", "processing"], runwareHooks.Select(h => h.Body.GetProperty("status").GetString()));

        var kieHooks = await receiver.WaitForAsync("ooo-kie", 2, TaskTimeout);
        Assert.Equal(2, kieHooks.Count);
        Assert.True(kieHooks[0].Body.GetProperty("data").TryGetProperty("video_url", out _));
        Assert.Equal(kieTask, kieHooks[1].Body.GetProperty("data").GetProperty("task_id").GetString());
        Assert.False(kieHooks[1].Body.GetProperty("data").TryGetProperty("video_url", out _));
    }

    [Fact]
    public async Task The_directive_is_stripped_from_the_picture_and_nothing_else_is_changed()
    {
        // Same scene and seed, with the directive in the middle of the text or without one: the same video.
        var plain = await RunwayTestRequests.CreateAsync(fixture.Runway, "v1/text_to_video",
            new { model = "gen4.5", promptText = "Night ferry, lights on the water", ratio = "1280:720", duration = 2, seed = 5 });
        var directed = await RunwayTestRequests.CreateAsync(fixture.Runway, "v1/text_to_video",
            new { model = "gen4.5", promptText = "Night ferry,[[ FAULT : status-429(retryAfter=1,count=0) ]] lights on the water", ratio = "1280:720", duration = 2, seed = 5 });
        var plainFinal = (await RunwayTestRequests.WaitForTerminalAsync(fixture.Runway, plain, TaskTimeout)).Final;
        var directedFinal = (await RunwayTestRequests.WaitForTerminalAsync(fixture.Runway, directed, TaskTimeout)).Final;
        var plainBytes = await fixture.Anonymous.GetByteArrayAsync(plainFinal.GetProperty("output")[0].GetString());
        var directedBytes = await fixture.Anonymous.GetByteArrayAsync(directedFinal.GetProperty("output")[0].GetString());
        Assert.Equal(SHA256.HashData(plainBytes), SHA256.HashData(directedBytes));

        // The provider still echoes the prompt exactly as it was sent.
        using var kie = fixture.Kie();
        var prompt = FaultTestRequests.Scene + "[[fault: callback-delay(seconds=0)]] and after";
        var taskId = await KieTestRequests.CreateAsync(kie, KieTestRequests.TextToVideo(prompt: prompt));
        Assert.Equal(prompt, (await KieTestRequests.DetailAsync(kie, taskId)).GetProperty("generateParam").GetProperty("prompt").GetString());
    }

    [Fact]
    public async Task A_per_run_default_applies_to_requests_without_a_directive_until_it_is_cleared()
    {
        using var root = fixture.Root();
        using (var set = await root.PostAsJsonAsync("_emulator/faults", new { directive = "[[fault: create-429(retryAfter=1)]]" }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        try
        {
            using (var bad = await root.PostAsJsonAsync("_emulator/faults", new { directive = "[[fault: no-such-mode]]" }))
            {
                Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            }

            Assert.Equal("[[fault: create-429(retryAfter=1)]]", (await root.GetFromJsonAsync<JsonElement>("_emulator/faults")).GetProperty("directive").GetString());

            using var pixazo = fixture.Pixazo();
            var body = FaultTestRequests.Pixazo(string.Empty);
            body["prompt"] = "Per-run default, " + Guid.NewGuid();
            var (limited, limitedBody) = await FaultTestRequests.PostPixazoAsync(pixazo, body);
            using (limited)
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
                Assert.Equal(TimeSpan.FromSeconds(1), limited.Headers.RetryAfter?.Delta);
                Assert.Equal(429, limitedBody.GetProperty("statusCode").GetInt32());
            }

            var (accepted, _) = await FaultTestRequests.PostPixazoAsync(pixazo, body);
            using (accepted)
            {
                Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            }

            // A prompt with its own directive is not given the default.
            var own = FaultTestRequests.Pixazo("[[fault: status-5xx(count=0)]]");
            var (ownResponse, _) = await FaultTestRequests.PostPixazoAsync(pixazo, own);
            using (ownResponse)
            {
                Assert.Equal(HttpStatusCode.Accepted, ownResponse.StatusCode);
            }
        }
        finally
        {
            using var cleared = await root.DeleteAsync("_emulator/faults");
            Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        }

        var id = await RunwayTestRequests.CreateAsync(fixture.Runway, "v1/text_to_video", FaultTestRequests.Runway(string.Empty));
        Assert.True(Guid.TryParse(id, out _));
        var stats = await fixture.StatsAsync();
        Assert.True(stats.GetProperty("creates").GetInt32() >= 3);
        Assert.True(stats.GetProperty("byProvider").GetProperty("pixazo").GetInt32() >= 2);
    }

    /// <summary>Reads a download to the end: its declared length, the bytes that came, and the error that ended it early.</summary>
    private async Task<(long Declared, long Read, Exception? Error)> ReadAllAsync(string url)
    {
        using var response = await fixture.Anonymous.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var declared = response.Content.Headers.ContentLength ?? -1;
        long read = 0;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[81920];
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0)
            {
                read += n;
            }

            return (declared, read, read == declared ? null : new IOException($"ended after {read} of {declared} bytes"));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return (declared, read, ex);
        }
    }
}

/// <summary>The fault state across an emulator restart on the same data directory.</summary>
public sealed class FaultStateRestartTests
{
    [Fact]
    public async Task Stats_the_default_and_each_tasks_faults_survive_a_restart()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "studio-emulator-tests", "faults-" + Guid.NewGuid().ToString("N"));
        void Configure(EmulatorOptions o)
        {
            o.DataDirectory = dataDirectory;
            o.PendingSeconds = 0.2;
            o.RunningSeconds = 0.5;
        }

        var body = FaultTestRequests.Runway("[[fault: status-5xx(count=1)]]");
        string id;
        try
        {
            await using (var first = await EmulatorHost.StartAsync(Configure))
            {
                using var runway = Client(first);
                id = await RunwayTestRequests.CreateAsync(runway, "v1/text_to_video", body);
                using var root = new HttpClient { BaseAddress = first.BaseAddress };
                (await root.PostAsJsonAsync("_emulator/faults", new { directive = "create-402" })).Dispose();
            }

            await using var second = await EmulatorHost.StartAsync(Configure);
            using var runwayAgain = Client(second);
            using var rootAgain = new HttpClient { BaseAddress = second.BaseAddress };
            var stats = await rootAgain.GetFromJsonAsync<JsonElement>("_emulator/stats");
            Assert.Equal(1, stats.GetProperty("creates").GetInt32());
            Assert.Equal(1, stats.GetProperty("byProvider").GetProperty("runway").GetInt32());
            Assert.Equal(1, stats.GetProperty("createsByPrompt").GetProperty(FaultTestRequests.Scene + "[[fault: status-5xx(count=1)]]").GetInt32());
            Assert.Equal("[[fault: create-402]]", (await rootAgain.GetFromJsonAsync<JsonElement>("_emulator/faults")).GetProperty("directive").GetString());

            // The task's plan came back (its counts start again): one 503, then normal reads.
            using (var failed = await runwayAgain.GetAsync($"v1/tasks/{id}"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
            }

            Assert.Equal("SUCCEEDED", (await RunwayTestRequests.WaitForTerminalAsync(runwayAgain, id, TimeSpan.FromSeconds(60))).Final.GetProperty("status").GetString());

            using (var refused = await runwayAgain.PostAsJsonAsync("v1/text_to_video", FaultTestRequests.Runway(string.Empty)))
            {
                Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
            }

            using (var reset = await rootAgain.DeleteAsync("_emulator/stats"))
            {
                Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
            }

            Assert.Equal(0, (await rootAgain.GetFromJsonAsync<JsonElement>("_emulator/stats")).GetProperty("creates").GetInt32());
        }
        finally
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    private static HttpClient Client(RunningEmulator emulator)
    {
        var client = new HttpClient { BaseAddress = new Uri(emulator.BaseAddress, "runway/") };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", EmulatorFixture.ApiKey);
        client.DefaultRequestHeaders.Add("X-Runway-Version", EmulatorFixture.RunwayVersion);
        return client;
    }
}
