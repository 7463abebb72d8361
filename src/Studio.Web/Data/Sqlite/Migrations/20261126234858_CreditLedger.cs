using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Studio.Web.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CreditLedger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "CreditResetDay",
                table: "Teams",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<long>(
                name: "MemberQuotaMillicredits",
                table: "Teams",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "MonthlyBudgetMillicredits",
                table: "Teams",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "QuotaMillicredits",
                table: "TeamMembers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "MonthlyBudgetMillicredits",
                table: "Projects",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "CreditBalances",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Scope = table.Column<int>(type: "INTEGER", nullable: false),
                    ScopeKey = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    PeriodStart = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    LimitMillicredits = table.Column<long>(type: "INTEGER", nullable: true),
                    HeldMillicredits = table.Column<long>(type: "INTEGER", nullable: false),
                    SpentMillicredits = table.Column<long>(type: "INTEGER", nullable: false),
                    AlertedPercent = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CreditBalances", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "CreditEntries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: true),
                    GenerationId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    PeriodStart = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    HeldDelta = table.Column<long>(type: "INTEGER", nullable: false),
                    SpentDelta = table.Column<long>(type: "INTEGER", nullable: false),
                    LimitDelta = table.Column<long>(type: "INTEGER", nullable: false),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Model = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ActorUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    Note = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CreditEntries", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ProviderPrices",
                columns: table => new
                {
                    Provider = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Model = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    MillicreditsPerSecond = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedByUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProviderPrices", x => new { x.Provider, x.Model });
                });

            migrationBuilder.CreateIndex(
                name: "IX_CreditBalances_TeamId_Scope_ScopeKey_PeriodStart",
                table: "CreditBalances",
                columns: new[] { "TeamId", "Scope", "ScopeKey", "PeriodStart" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CreditEntries_GenerationId_Kind",
                table: "CreditEntries",
                columns: new[] { "GenerationId", "Kind" },
                unique: true,
                filter: "\"GenerationId\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_CreditEntries_TeamId_At",
                table: "CreditEntries",
                columns: new[] { "TeamId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_CreditEntries_TeamId_PeriodStart",
                table: "CreditEntries",
                columns: new[] { "TeamId", "PeriodStart" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CreditBalances");

            migrationBuilder.DropTable(
                name: "CreditEntries");

            migrationBuilder.DropTable(
                name: "ProviderPrices");

            migrationBuilder.DropColumn(
                name: "CreditResetDay",
                table: "Teams");

            migrationBuilder.DropColumn(
                name: "MemberQuotaMillicredits",
                table: "Teams");

            migrationBuilder.DropColumn(
                name: "MonthlyBudgetMillicredits",
                table: "Teams");

            migrationBuilder.DropColumn(
                name: "QuotaMillicredits",
                table: "TeamMembers");

            migrationBuilder.DropColumn(
                name: "MonthlyBudgetMillicredits",
                table: "Projects");
        }
    }
}
