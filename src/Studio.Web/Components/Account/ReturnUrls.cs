namespace Studio.Web.Components.Account;

internal static class ReturnUrls
{
    /// <summary>Only local paths: an open redirect after sign-in is a phishing tool.</summary>
    public static string Safe(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//") && !returnUrl.StartsWith("/\\")
            ? returnUrl
            : "/projects";
}
