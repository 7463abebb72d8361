using Studio.Web.Features.Generations;

namespace Studio.Web.Features.Gallery;

/// <summary>One page of takes, the caller's stars among them, how many takes match the filter and how many the project has.</summary>
public sealed record GalleryPage(IReadOnlyList<GenerationView> Takes, IReadOnlySet<Guid> Favourites, int Matching, int Total);

public sealed record GalleryCreator(string UserId, string Name);

/// <summary>The values that occur in a project, offered by the filter bar.</summary>
public sealed record GalleryFacets(IReadOnlyList<string> Providers, IReadOnlyList<string> Models, IReadOnlyList<GalleryCreator> Creators)
{
    public static readonly GalleryFacets Empty = new([], [], []);
}

public sealed record DeleteTakesResult(int Deleted, string? Error, bool IsNotFound)
{
    public static readonly DeleteTakesResult NotFound = new(0, "Take not found.", true);

    public static DeleteTakesResult Refused(string error) => new(0, error, false);

    public static DeleteTakesResult Done(int deleted) => new(deleted, null, false);

    public bool Succeeded => Error is null;
}
