namespace Studio.Web.Features.Teams;

public static class TeamsServiceCollectionExtensions
{
    public static WebApplicationBuilder AddTeams(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TeamService>();
        builder.Services.AddSingleton<Audit.AuditLog>();
        builder.Services.AddSingleton<TeamMembersService>();
        builder.Services.AddSingleton<TeamDeletionService>();
        return builder;
    }
}
