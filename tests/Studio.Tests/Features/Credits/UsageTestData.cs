using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Studio.Web.Data;
using Studio.Web.Features.Accounts;
using Studio.Web.Features.Comments;
using Studio.Web.Features.Credits;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Projects;
using Studio.Web.Features.Teams;

namespace Studio.Tests.Features.Credits;

/// <summary>
/// A migrated SQLite database in memory (one open connection for its lifetime) with the credit services over it, a
/// clock fixed at 20 Nov 2026, and helpers that add teams, members, projects, takes and ledger entries directly.
/// </summary>
public sealed class UsageTestData : IAsyncDisposable
{
    public static readonly DateTime Now = new(2026, 11, 20, 15, 0, 0, DateTimeKind.Utc);
    public static readonly DateOnly November = new(2026, 11, 1);
    public static readonly DateOnly October = new(2026, 10, 1);

    private readonly SqliteConnection _connection = new("Data Source=:memory:");

    private UsageTestData() => Clock = new FakeTimeProvider(new DateTimeOffset(Now));

    public FakeTimeProvider Clock { get; }

    private ServiceProvider _services = null!;

    public IServiceProvider Services => _services;

    public UsageService Usage => Services.GetRequiredService<UsageService>();

    /// <param name="more">Further services (the live notifier for a component test).</param>
    public static async Task<UsageTestData> CreateAsync(Action<IServiceCollection>? more = null)
    {
        var data = new UsageTestData();
        await data._connection.OpenAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(data.Clock);
        services.AddDbContextFactory<StudioDbContext>(o => o.UseSqlite(data._connection));
        services.AddSingleton<ActivityNotifier>();
        services.AddSingleton<CreditAlerts>();
        services.AddSingleton<CreditLedger>();
        services.AddSingleton<PriceList>();
        services.AddSingleton<UsageService>();
        more?.Invoke(services);
        data._services = services.BuildServiceProvider();
        await using var db = data.Db();
        await db.Database.MigrateAsync();
        return data;
    }

    public StudioDbContext Db() => new(new DbContextOptionsBuilder<StudioDbContext>().UseSqlite(_connection).Options);

    public async Task<Guid> TeamAsync(string name, long? budget = null, long? memberQuota = null, int resetDay = 1)
    {
        await using var db = Db();
        var team = new Team { Id = Guid.NewGuid(), Name = name, CreatedAt = Now.AddMonths(-3), MonthlyBudgetMillicredits = budget, MemberQuotaMillicredits = memberQuota, CreditResetDay = resetDay };
        db.Teams.Add(team);
        await db.SaveChangesAsync();
        return team.Id;
    }

    public async Task<string> MemberAsync(Guid teamId, string name, TeamRole role = TeamRole.Editor)
    {
        await using var db = Db();
        var id = Guid.NewGuid().ToString();
        db.Users.Add(new StudioUser { Id = id, UserName = $"{id}@example.test", Email = $"{id}@example.test", DisplayName = name, CurrentTeamId = teamId });
        db.TeamMembers.Add(new TeamMember { TeamId = teamId, UserId = id, Role = role, JoinedAt = Now.AddMonths(-3) });
        await db.SaveChangesAsync();
        return id;
    }

    public async Task<Guid> ProjectAsync(Guid teamId, string name, string userId)
    {
        await using var db = Db();
        var project = new Project { Id = Guid.NewGuid(), TeamId = teamId, Name = name, CreatedByUserId = userId, CreatedAt = Now, UpdatedAt = Now };
        db.Projects.Add(project);
        await db.SaveChangesAsync();
        return project.Id;
    }

    /// <summary>A take with its reserve entry and, when it has ended, its settle (charged &gt; 0) or release entry.</summary>
    public async Task<Guid> TakeAsync(Guid teamId, string userId, Guid projectId, DateTime at, long held, long? charged,
        GenerationState state = GenerationState.Ready, string provider = "runway", string model = "gen4.5", DateOnly? period = null)
    {
        await using var db = Db();
        var id = Guid.NewGuid();
        db.Generations.Add(new Generation
        {
            Id = id, TeamId = teamId, ProjectId = projectId, CreatedByUserId = userId, Provider = provider, Model = model, PromptText = "A take",
            Ratio = "1280:720", DurationSeconds = 5, State = state, CreatedAt = at, UpdatedAt = at, NextAttemptAt = at,
        });
        var start = period ?? CreditPeriods.StartOf(at, 1);
        db.CreditEntries.Add(new CreditEntry
        {
            TeamId = teamId, UserId = userId, ProjectId = projectId, GenerationId = id, Kind = CreditEntryKind.Reserve, PeriodStart = start,
            HeldDelta = held, Provider = provider, Model = model, At = at,
        });
        if (charged is { } cost)
        {
            db.CreditEntries.Add(new CreditEntry
            {
                TeamId = teamId, UserId = userId, ProjectId = projectId, GenerationId = id, Kind = cost > 0 ? CreditEntryKind.Settle : CreditEntryKind.Release,
                PeriodStart = start, HeldDelta = -held, SpentDelta = cost, Provider = provider, Model = model, At = at.AddMinutes(2),
            });
        }
        await db.SaveChangesAsync();
        return id;
    }

    public async Task EntryAsync(CreditEntry entry)
    {
        await using var db = Db();
        db.CreditEntries.Add(entry);
        await db.SaveChangesAsync();
    }

    /// <summary>The balance rows of a period, as the ledger keeps them beside the entries.</summary>
    public async Task BalanceAsync(Guid teamId, CreditScope scope, string key, DateOnly period, long? limit, long held, long spent)
    {
        await using var db = Db();
        db.CreditBalances.Add(new CreditBalance { TeamId = teamId, Scope = scope, ScopeKey = key, PeriodStart = period, LimitMillicredits = limit, HeldMillicredits = held, SpentMillicredits = spent });
        await db.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
