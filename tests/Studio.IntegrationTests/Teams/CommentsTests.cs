using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Studio.IntegrationTests.Studio;
using Studio.Web.Features.Comments;
using Studio.Web.Features.Generations;
using Studio.Web.Features.Teams;

namespace Studio.IntegrationTests.Teams;

/// <summary>Comments on a take with @-mentions and in-app notifications, through the real services on SQLite.</summary>
public sealed class CommentsTests() : SandboxStudioTest("comments", emulatorRunningSeconds: 0.5)
{
    private CommentService Comments => Studio.Services.GetRequiredService<CommentService>();
    private NotificationService Notifications => Studio.Services.GetRequiredService<NotificationService>();
    private TeamMembersService Members => Studio.Services.GetRequiredService<TeamMembersService>();

    private sealed record Crew(TestUser Owner, TestUser Viewer, TestUser Admin, TestUser Outsider, Guid ProjectId, Guid TakeId);

    /// <summary>Ada owns the team and made the take; Vic (Viewer) and Ann Marie (Admin) are members; Otto is in a team of his own.</summary>
    private async Task<Crew> CrewAsync()
    {
        var owner = await Studio.RegisterAsync("Ada");
        var viewer = await Studio.RegisterAsync("Vic");
        var admin = await Studio.RegisterAsync("Ann Marie");
        var outsider = await Studio.RegisterAsync("Otto");
        foreach (var (user, role) in new[] { (viewer, TeamRole.Viewer), (admin, TeamRole.Admin) })
        {
            var token = (await Members.CreateInviteAsync(owner.Id, owner.TeamId, role, 1, TimeSpan.FromDays(1))).Value!;
            Assert.True((await Members.AcceptInviteAsync(user.Id, token)).Succeeded);
        }
        var project = await Studio.CreateProjectAsync(owner, "Harbour");
        var take = await Studio.SubmitAsync(owner, project);
        return new Crew(owner, viewer, admin, outsider, project, take);
    }

    [Fact]
    public async Task A_viewer_comments_mentioning_a_teammate_and_both_the_mentioned_and_the_takes_creator_are_notified()
    {
        var crew = await CrewAsync();

        var posted = await Comments.AddAsync(crew.Viewer.Id, crew.TakeId, "  Lovely light. @ann marie can we try it at dusk? cc vic@example.com  ");

        Assert.True(posted.Succeeded, posted.Error);
        Assert.Equal("Lovely light. @ann marie can we try it at dusk? cc vic@example.com", posted.Comment!.Text);
        var thread = await Comments.ThreadAsync(crew.Owner.Id, crew.TakeId);
        var comment = Assert.Single(thread!.Comments);
        Assert.Equal(("Vic", true), (comment.AuthorName, comment.CanDelete)); // The owner may delete anyone's comment.
        Assert.Equal(["@ann marie"], comment.Parts.Where(p => p.MentionedUserId == crew.Admin.Id).Select(p => p.Text));
        Assert.Equal(["Ada", "Ann Marie", "Vic"], thread.Teammates.Select(t => t.DisplayName));

        var forAdmin = await Notifications.InboxAsync(crew.Admin.Id);
        Assert.Equal(1, forAdmin.Unread);
        var notice = Assert.Single(forAdmin.Recent);
        Assert.Equal("Vic mentioned you on a take in Harbour: “Lovely light. @ann marie can we try it at dusk? cc vic@example.com”", notice.Text);
        Assert.Equal($"/projects/{crew.ProjectId}?take={crew.TakeId}", notice.Link);
        Assert.Equal("Ada's team", notice.TeamName);

        var forOwner = Assert.Single((await Notifications.InboxAsync(crew.Owner.Id)).Recent);
        Assert.StartsWith("Vic commented on your take in Harbour:", forOwner.Text);
        Assert.Equal(0, (await Notifications.InboxAsync(crew.Viewer.Id)).Unread); // The author hears nothing of their own comment.
        Assert.Equal(0, (await Notifications.InboxAsync(crew.Outsider.Id)).Unread);
    }

    [Fact]
    public async Task Reading_a_notice_lowers_the_unread_count_and_only_its_owner_can_mark_it()
    {
        var crew = await CrewAsync();
        await Comments.AddAsync(crew.Admin.Id, crew.TakeId, "@Vic first");
        await Comments.AddAsync(crew.Owner.Id, crew.TakeId, "@Vic second");
        var inbox = await Notifications.InboxAsync(crew.Viewer.Id);
        Assert.Equal(2, inbox.Unread);
        Assert.StartsWith("Ada mentioned you", inbox.Recent[0].Text); // Newest first.

        Assert.False(await Notifications.MarkReadAsync(crew.Owner.Id, inbox.Recent[0].Id));
        Assert.Equal(2, (await Notifications.InboxAsync(crew.Viewer.Id)).Unread);
        Assert.True(await Notifications.MarkReadAsync(crew.Viewer.Id, inbox.Recent[0].Id));
        Assert.Equal(1, (await Notifications.InboxAsync(crew.Viewer.Id)).Unread);
        Assert.Equal(1, await Notifications.MarkAllReadAsync(crew.Viewer.Id));
        var after = await Notifications.InboxAsync(crew.Viewer.Id);
        Assert.Equal((0, 2), (after.Unread, after.Recent.Count(n => n.Read)));
    }

    [Fact]
    public async Task Another_teams_member_cannot_read_or_comment_and_gets_the_same_answer_as_for_no_take()
    {
        var crew = await CrewAsync();
        await Comments.AddAsync(crew.Owner.Id, crew.TakeId, "Keep this one");

        Assert.Null(await Comments.ThreadAsync(crew.Outsider.Id, crew.TakeId));
        var refused = await Comments.AddAsync(crew.Outsider.Id, crew.TakeId, "@Ada hello");
        var unknown = await Comments.AddAsync(crew.Outsider.Id, Guid.CreateVersion7(), "hello");
        Assert.True(refused.IsNotFound);
        Assert.Equal(unknown.Error, refused.Error);
        var comment = (await Comments.ThreadAsync(crew.Owner.Id, crew.TakeId))!.Comments.Single();
        Assert.Equal("This comment does not exist or is not in your team.", await Comments.DeleteAsync(crew.Outsider.Id, comment.Id));

        await using var db = await Studio.DbAsync();
        Assert.Equal(1, await db.Comments.CountAsync(c => c.GenerationId == crew.TakeId && c.DeletedAt == null));
        Assert.Equal(0, await db.Notifications.CountAsync(n => n.UserId == crew.Owner.Id));
    }

    [Fact]
    public async Task Empty_and_overlong_comments_are_refused_with_a_reason_and_nothing_is_stored()
    {
        var crew = await CrewAsync();

        var empty = await Comments.AddAsync(crew.Viewer.Id, crew.TakeId, "   \n ");
        var tooLong = await Comments.AddAsync(crew.Viewer.Id, crew.TakeId, new string('x', CommentService.MaxLength + 1));
        var longest = await Comments.AddAsync(crew.Viewer.Id, crew.TakeId, new string('y', CommentService.MaxLength));

        Assert.Equal("Write something first.", empty.Error);
        Assert.Equal("A comment is at most 2,000 characters; this one has 2,001.", tooLong.Error);
        Assert.True(longest.Succeeded, longest.Error);
        await using var db = await Studio.DbAsync();
        Assert.Equal(1, await db.Comments.CountAsync(c => c.GenerationId == crew.TakeId));
    }

    [Fact]
    public async Task Authors_delete_their_own_comments_admins_any_and_a_viewer_not_someone_elses_and_the_notices_go_with_it()
    {
        var crew = await CrewAsync();
        var byAdmin = (await Comments.AddAsync(crew.Admin.Id, crew.TakeId, "@Vic look at frame 40")).Comment!;
        var byViewer = (await Comments.AddAsync(crew.Viewer.Id, crew.TakeId, "@Ann Marie done")).Comment!;
        Assert.Equal(1, (await Notifications.InboxAsync(crew.Viewer.Id)).Unread);

        Assert.Equal("Only its author, an admin or the owner can delete a comment.", await Comments.DeleteAsync(crew.Viewer.Id, byAdmin.Id));
        var viewerSees = (await Comments.ThreadAsync(crew.Viewer.Id, crew.TakeId))!.Comments.ToDictionary(c => c.Id, c => c.CanDelete);
        Assert.Equal(new Dictionary<Guid, bool> { [byAdmin.Id] = false, [byViewer.Id] = true }, viewerSees);

        Assert.Null(await Comments.DeleteAsync(crew.Admin.Id, byAdmin.Id));
        Assert.Null(await Comments.DeleteAsync(crew.Owner.Id, byViewer.Id));

        Assert.Empty((await Comments.ThreadAsync(crew.Viewer.Id, crew.TakeId))!.Comments);
        Assert.Equal(0, (await Notifications.InboxAsync(crew.Viewer.Id)).Unread);
        Assert.Empty((await Notifications.InboxAsync(crew.Admin.Id)).Recent);
        Assert.Equal("This comment does not exist or is not in your team.", await Comments.DeleteAsync(crew.Admin.Id, byAdmin.Id));
    }

    [Fact]
    public async Task A_member_who_leaves_no_longer_sees_the_teams_notices_nor_can_be_mentioned()
    {
        var crew = await CrewAsync();
        await Comments.AddAsync(crew.Owner.Id, crew.TakeId, "@Vic your thoughts?");
        Assert.Equal(1, (await Notifications.InboxAsync(crew.Viewer.Id)).Unread);

        Assert.True((await Members.LeaveAsync(crew.Viewer.Id, crew.Owner.TeamId)).Succeeded);
        var after = await Comments.AddAsync(crew.Owner.Id, crew.TakeId, "@Vic still there?");

        var inbox = await Notifications.InboxAsync(crew.Viewer.Id);
        Assert.Equal((0, 0), (inbox.Unread, inbox.Recent.Count));
        Assert.DoesNotContain(after.Comment!.Parts, p => p.MentionedUserId is not null);
        Assert.Null(await Comments.ThreadAsync(crew.Viewer.Id, crew.TakeId));
    }

    [Fact]
    public async Task A_page_watching_a_take_hears_of_each_new_comment_and_the_mentioned_users_bell_of_their_notice()
    {
        var crew = await CrewAsync();
        var activity = Studio.Services.GetRequiredService<ActivityNotifier>();
        var comments = new List<CommentsChanged>();
        var bells = new List<string>();
        using var a = activity.OnComments(c => { lock (comments) { comments.Add(c); } return Task.CompletedTask; });
        using var b = activity.OnNotifications(u => { lock (bells) { bells.Add(u); } return Task.CompletedTask; });

        await Comments.AddAsync(crew.Viewer.Id, crew.TakeId, "@Ann Marie ok?");

        Assert.Equal([new CommentsChanged(crew.Owner.TeamId, crew.TakeId)], comments);
        Assert.Equal(new[] { crew.Admin.Id, crew.Owner.Id }.Order(), bells.Order());
    }
}
