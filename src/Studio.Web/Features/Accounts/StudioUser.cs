using Microsoft.AspNetCore.Identity;

namespace Studio.Web.Features.Accounts;

public sealed class StudioUser : IdentityUser
{
    public string DisplayName { get; set; } = "";

    /// <summary>The first user to register on a server administers it.</summary>
    public bool IsSiteAdmin { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>The team the user last switched to; pages work in it (if they are still a member).</summary>
    public Guid? CurrentTeamId { get; set; }
}
