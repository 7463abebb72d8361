namespace Studio.Web.Features.Comments;

/// <summary>"just now", "5 min ago", "3 h ago", "yesterday", then the date: how comments and notices say when.</summary>
public static class CommentTimes
{
    public static string Ago(DateTime atUtc, DateTime nowUtc)
    {
        var age = nowUtc - atUtc;
        return age switch
        {
            { TotalMinutes: < 1 } => "just now",
            { TotalHours: < 1 } => $"{(int)age.TotalMinutes} min ago",
            { TotalHours: < 24 } => $"{(int)age.TotalHours} h ago",
            { TotalDays: < 2 } => "yesterday",
            { TotalDays: < 7 } => $"{(int)age.TotalDays} days ago",
            _ => atUtc.ToLocalTime().ToString(atUtc.Year == nowUtc.Year ? "d MMM" : "d MMM yyyy"),
        };
    }
}
