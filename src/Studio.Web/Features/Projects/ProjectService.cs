using Microsoft.EntityFrameworkCore;
using Studio.Web.Data;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Teams;

namespace Studio.Web.Features.Projects;

public sealed record ProjectSummary(Guid Id, Guid TeamId, string Name, DateTime UpdatedAt, int TakeCount, Guid? LatestReadyGenerationId);

/// <summary>A project answers only to members of its team: everyone else gets "not found".</summary>
public sealed class ProjectService(IDbContextFactory<StudioDbContext> dbFactory, TimeProvider clock)
{
    public async Task<IReadOnlyList<ProjectSummary>> ListAsync(string userId, Guid teamId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Projects
            .Where(p => p.TeamId == teamId && db.TeamMembers.Any(m => m.TeamId == p.TeamId && m.UserId == userId))
            .OrderByDescending(p => p.UpdatedAt)
            .Select(p => new ProjectSummary(
                p.Id, p.TeamId, p.Name, p.UpdatedAt,
                db.Generations.Count(g => g.ProjectId == p.Id),
                db.Generations.Where(g => g.ProjectId == p.Id && g.State == GenerationState.Ready)
                    .OrderByDescending(g => g.CreatedAt).Select(g => (Guid?)g.Id).FirstOrDefault()))
            .ToListAsync(ct);
    }

    public async Task<Project?> GetAsync(string userId, Guid projectId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Projects.AsNoTracking()
            .Where(p => p.Id == projectId && db.TeamMembers.Any(m => m.TeamId == p.TeamId && m.UserId == userId))
            .FirstOrDefaultAsync(ct);
    }

    public async Task<ProjectResult> CreateAsync(string userId, Guid teamId, string? name, CancellationToken ct = default)
    {
        if (NameError(name) is { } error)
        {
            return ProjectResult.Invalid(error);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var role = await TeamService.RoleAsync(db, userId, teamId, ct);
        if (role is null)
        {
            return ProjectResult.NotFound();
        }
        if (!TeamService.CanManageProjects(role.Value))
        {
            return ProjectResult.Invalid("Viewers cannot create projects. Ask a team admin for the Editor role.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var project = new Project
        {
            Id = Guid.CreateVersion7(),
            TeamId = teamId,
            Name = name!.Trim(),
            CreatedByUserId = userId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Projects.Add(project);
        await db.SaveChangesAsync(ct);
        return ProjectResult.Ok(project);
    }

    public async Task<ProjectResult> RenameAsync(string userId, Guid projectId, string? name, CancellationToken ct = default)
    {
        if (NameError(name) is { } error)
        {
            return ProjectResult.Invalid(error);
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.Projects
            .Where(p => p.Id == projectId && db.TeamMembers.Any(m => m.TeamId == p.TeamId && m.UserId == userId))
            .FirstOrDefaultAsync(ct);
        if (project is null)
        {
            return ProjectResult.NotFound();
        }
        var role = await db.TeamMembers.Where(m => m.TeamId == project.TeamId && m.UserId == userId).Select(m => m.Role).FirstAsync(ct);
        if (!TeamService.CanManageProjects(role))
        {
            return ProjectResult.Invalid("Viewers cannot rename projects.");
        }
        project.Name = name!.Trim();
        project.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        return ProjectResult.Ok(project);
    }

    public static string? NameError(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "Give the project a name.";
        }
        if (name.Trim().Length > Project.NameMaxLength)
        {
            return $"Project names are at most {Project.NameMaxLength} characters.";
        }
        return null;
    }
}

public sealed record ProjectResult(Project? Project, string? Error, bool IsNotFound)
{
    public bool Succeeded => Project is not null;

    public static ProjectResult Ok(Project project) => new(project, null, false);

    public static ProjectResult Invalid(string error) => new(null, error, false);

    public static ProjectResult NotFound() => new(null, "Project not found.", true);
}

public static class ProjectsServiceCollectionExtensions
{
    public static WebApplicationBuilder AddProjects(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ProjectService>();
        return builder;
    }
}
