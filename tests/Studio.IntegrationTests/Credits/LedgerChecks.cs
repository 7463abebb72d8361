using Studio.Web.Features.Credits;

namespace Studio.IntegrationTests.Credits;

/// <summary>The ledger's first invariant, shared by the tests that check it: every balance row equals its entries' sums.</summary>
internal static class LedgerChecks
{
    /// <summary>One line per balance row whose held/spent differ from the sums of its scope's entries, or whose hold is negative.</summary>
    public static IEnumerable<string> Mismatches(IReadOnlyCollection<CreditEntry> entries, IEnumerable<CreditBalance> rows)
    {
        foreach (var row in rows)
        {
            var of = entries.Where(e => e.TeamId == row.TeamId && e.PeriodStart == row.PeriodStart && e.Kind != CreditEntryKind.Grant && row.Scope switch
            {
                CreditScope.Team => true,
                CreditScope.Member => e.UserId == row.ScopeKey,
                _ => e.ProjectId?.ToString() == row.ScopeKey,
            }).ToList();
            var (held, spent) = (of.Sum(e => e.HeldDelta), of.Sum(e => e.SpentDelta));
            if ((held, spent) != (row.HeldMillicredits, row.SpentMillicredits) || row.HeldMillicredits < 0)
            {
                yield return $"{row.Scope} row {row.ScopeKey} of {row.PeriodStart}: held {row.HeldMillicredits} spent {row.SpentMillicredits}, entries say {held} / {spent}";
            }
        }
    }
}
