using Studio.Web.Features.Archive;
using Studio.Web.Features.Providers;

namespace Studio.Tests.Features.Archive;

public class ArchiveUrlGuardTests
{
    private sealed class FakeProvider(bool sandbox) : IVideoProvider
    {
        public string Name => "runway";
        public bool IsSandbox => sandbox;
        public IReadOnlyCollection<string> OutputHosts => ["*.cloudfront.net", "localhost"];
        public PollCadence Cadence => new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60));
        public Task<ProviderResult<ProviderAccepted>> SubmitAsync(ProviderSubmission submission, CancellationToken ct) => throw new InvalidOperationException("not used");
        public Task<ProviderResult<ProviderTaskStatus>> GetTaskAsync(string taskId, CancellationToken ct) => throw new InvalidOperationException("not used");
    }

    [Theory]
    [InlineData("https://d1.cloudfront.net/v.mp4", false, null)]
    [InlineData("http://d1.cloudfront.net/v.mp4", false, "scheme")]
    [InlineData("http://localhost:5080/runway/_output/x.mp4", true, null)]
    [InlineData("https://internal.corp/v.mp4", false, "not one of")]
    [InlineData("file:///etc/passwd", true, "scheme")]
    [InlineData("not a url", false, "no usable")]
    public void UrlError_OnlyProviderHostsOverHttps(string url, bool sandbox, string? expectedError)
    {
        var error = GenerationArchiver.UrlError(url, new FakeProvider(sandbox));
        if (expectedError is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.Contains(expectedError, error);
        }
    }
}
