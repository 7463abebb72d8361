using Studio.Web.Features.Archive;

namespace Studio.Tests.Features.Archive;

public class ArchiveUrlGuardTests
{
    [Theory]
    [InlineData("https://d1.cloudfront.net/v.mp4", false, null)]
    [InlineData("http://d1.cloudfront.net/v.mp4", false, "scheme")]
    [InlineData("http://localhost:5080/runway/_output/x.mp4", true, null)]
    [InlineData("https://internal.corp/v.mp4", false, "not one of")]
    [InlineData("file:///etc/passwd", true, "scheme")]
    [InlineData("not a url", false, "no usable")]
    public void UrlError_OnlyProviderHostsOverHttps(string url, bool sandbox, string? expectedError)
    {
        var error = GenerationArchiver.UrlError(url, new ArchiveSource(sandbox, ["*.cloudfront.net", "localhost"], "runway"));
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
