using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Studio.Web.Features.Generations;

namespace Studio.Web.Features.Gallery;

/// <summary>Which takes the gallery shows, by where they stand. Groups rather than every state: people ask "done or not".</summary>
public enum GalleryStateFilter { Any, Ready, Working, Failed, Cancelled, Uncertain }

public enum GallerySort { Newest, Oldest, Longest, Shortest, Costliest }

/// <summary>
/// What the gallery's filter bar asks for. Everything is applied in SQL by <see cref="GalleryQuery.Apply"/>, so the
/// circuit only ever holds the page it shows.
/// </summary>
public sealed record GalleryFilter
{
    public const int MaxSearchLength = 200;

    public static readonly GalleryFilter None = new();

    /// <summary>Words to find in the prompt (case-insensitive for ASCII, as SQLite's LIKE).</summary>
    public string? Search { get; init; }
    public GalleryStateFilter State { get; init; }
    public string? Provider { get; init; }
    public string? Model { get; init; }
    public string? CreatorUserId { get; init; }
    /// <summary>First and last day (UTC) the take was made; both inclusive.</summary>
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public bool FavouritesOnly { get; init; }
    public GallerySort Sort { get; init; }

    /// <summary>True when something narrows the takes (the sort alone does not).</summary>
    public bool Narrows => !string.IsNullOrWhiteSpace(Search) || State != GalleryStateFilter.Any || Provider is not null || Model is not null
        || CreatorUserId is not null || From is not null || To is not null || FavouritesOnly;

    /// <summary>The same sort with every narrowing criterion removed ("Reset filters").</summary>
    public GalleryFilter Cleared() => None with { Sort = Sort };
}

/// <summary>Turns a <see cref="GalleryFilter"/> into SQL: filters as WHERE clauses with parameters, sorts with a stable tie-break.</summary>
public static class GalleryQuery
{
    private const char LikeEscape = '\\';

    public static GenerationState[] StatesOf(GalleryStateFilter filter) => filter switch
    {
        GalleryStateFilter.Ready => [GenerationState.Ready],
        GalleryStateFilter.Working => GenerationStateMachine.ActiveStates,
        GalleryStateFilter.Failed => [GenerationState.Failed],
        GalleryStateFilter.Cancelled => [GenerationState.Cancelled],
        GalleryStateFilter.Uncertain => [GenerationState.Uncertain],
        _ => [],
    };

    /// <summary>A LIKE pattern that finds <paramref name="search"/> literally anywhere: %, _ and the escape itself lose their meaning.</summary>
    public static string ContainsPattern(string search)
    {
        var trimmed = search.Trim();
        if (trimmed.Length > GalleryFilter.MaxSearchLength)
        {
            trimmed = trimmed[..GalleryFilter.MaxSearchLength];
        }
        var escaped = trimmed.Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal);
        return $"%{escaped}%";
    }

    /// <summary>
    /// Narrows <paramref name="takes"/> (already limited to one project of the caller's team, deleted ones out) by the
    /// filter. <paramref name="favourites"/> is the Favourites set, for the caller's stars.
    /// </summary>
    public static IQueryable<Generation> Apply(IQueryable<Generation> takes, GalleryFilter filter, string userId, IQueryable<Favourite> favourites)
    {
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var pattern = ContainsPattern(filter.Search);
            takes = takes.Where(g => EF.Functions.Like(g.PromptText, pattern, LikeEscape.ToString()));
        }
        if (filter.State != GalleryStateFilter.Any)
        {
            var states = StatesOf(filter.State);
            takes = takes.Where(g => states.Contains(g.State));
        }
        if (filter.Provider is { } provider)
        {
            takes = takes.Where(g => g.Provider == provider);
        }
        if (filter.Model is { } model)
        {
            takes = takes.Where(g => g.Model == model);
        }
        if (filter.CreatorUserId is { } creator)
        {
            takes = takes.Where(g => g.CreatedByUserId == creator);
        }
        if (filter.From is { } from)
        {
            var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            takes = takes.Where(g => g.CreatedAt >= start);
        }
        if (filter.To is { } to)
        {
            var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            takes = takes.Where(g => g.CreatedAt < end);
        }
        if (filter.FavouritesOnly)
        {
            takes = takes.Where(g => favourites.Any(f => f.UserId == userId && f.GenerationId == g.Id));
        }
        return takes;
    }

    /// <summary>Orders by the chosen sort; the newest-first tie-break keeps pages stable while the user scrolls.</summary>
    public static IQueryable<Generation> Sort(IQueryable<Generation> takes, GallerySort sort) => sort switch
    {
        GallerySort.Oldest => takes.OrderBy(g => g.CreatedAt).ThenBy(g => g.Id),
        GallerySort.Longest => takes.OrderByDescending(g => g.DurationSeconds).ThenByDescending(g => g.CreatedAt).ThenByDescending(g => g.Id),
        GallerySort.Shortest => takes.OrderBy(g => g.DurationSeconds).ThenByDescending(g => g.CreatedAt).ThenByDescending(g => g.Id),
        GallerySort.Costliest => takes.OrderByDescending(g => g.CostCredits ?? g.EstimatedCredits).ThenByDescending(g => g.CreatedAt).ThenByDescending(g => g.Id),
        _ => takes.OrderByDescending(g => g.CreatedAt).ThenByDescending(g => g.Id),
    };

    public static string Describe(GallerySort sort) => sort switch
    {
        GallerySort.Oldest => "Oldest first",
        GallerySort.Longest => "Longest first",
        GallerySort.Shortest => "Shortest first",
        GallerySort.Costliest => "Most credits first",
        _ => "Newest first",
    };

    public static string Describe(GalleryStateFilter state) => state switch
    {
        GalleryStateFilter.Ready => "Ready",
        GalleryStateFilter.Working => "In progress",
        GalleryStateFilter.Failed => "Failed",
        GalleryStateFilter.Cancelled => "Cancelled",
        GalleryStateFilter.Uncertain => "Uncertain",
        _ => "Any state",
    };

    /// <summary>"12 takes", "1 take", "3 of 10,000 takes".</summary>
    public static string CountText(int matching, int total, bool narrows) =>
        narrows && matching != total
            ? $"{matching.ToString("N0", CultureInfo.InvariantCulture)} of {total.ToString("N0", CultureInfo.InvariantCulture)} takes"
            : $"{matching.ToString("N0", CultureInfo.InvariantCulture)} take{(matching == 1 ? "" : "s")}";
}
