namespace Studio.Web.Features.Teams;

/// <summary>
/// What each role may do, in one place. Viewer watches and comments; Editor also composes, generates and shares;
/// Admin also manages members, invites, quotas, provider keys and deletes takes; Owner also deletes the team and
/// hands it over. Every page, endpoint and hub method asks these (after finding the caller's membership: a
/// non-member gets 404, never 403).
/// </summary>
public static class TeamPermissions
{
    public static bool CanWatch(TeamRole role) => true;

    public static bool CanComment(TeamRole role) => true;

    /// <summary>Deleting other people's comments; everyone may delete their own.</summary>
    public static bool CanModerateComments(TeamRole role) => role is TeamRole.Owner or TeamRole.Admin;

    public static bool CanGenerate(TeamRole role) => role is TeamRole.Owner or TeamRole.Admin or TeamRole.Editor;

    public static bool CanShare(TeamRole role) => CanGenerate(role);

    public static bool CanManageMembers(TeamRole role) => role is TeamRole.Owner or TeamRole.Admin;

    public static bool CanManageKeys(TeamRole role) => CanManageMembers(role);

    public static bool CanDeleteTakes(TeamRole role) => CanManageMembers(role);

    public static bool CanReadAudit(TeamRole role) => CanManageMembers(role);

    public static bool CanDeleteTeam(TeamRole role) => role is TeamRole.Owner;
}
