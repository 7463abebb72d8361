using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Studio.Web.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Storyboards : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ContinuedFromGenerationId",
                table: "Generations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ShotId",
                table: "Generations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "FinalCuts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    StoryboardId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Progress = table.Column<double>(type: "REAL", nullable: false),
                    TakeIds = table.Column<string>(type: "TEXT", maxLength: 8000, nullable: false),
                    GenerationId = table.Column<Guid>(type: "TEXT", nullable: true),
                    FailureReason = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    CreatedByUserId = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CompletedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    AssemblySeconds = table.Column<double>(type: "REAL", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FinalCuts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Shots",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    StoryboardId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    PromptText = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Model = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Ratio = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    DurationSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    Seed = table.Column<long>(type: "INTEGER", nullable: true),
                    Quality = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    Notes = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    ContinueFromPrevious = table.Column<bool>(type: "INTEGER", nullable: false),
                    FirstFrameBlobKey = table.Column<string>(type: "TEXT", nullable: true),
                    FirstFrameContentType = table.Column<string>(type: "TEXT", nullable: true),
                    SelectedGenerationId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SelectedByUserId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    SelectedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    PendingTakes = table.Column<int>(type: "INTEGER", nullable: false),
                    RunError = table.Column<string>(type: "TEXT", maxLength: 400, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    DeletedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Shots", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Storyboards",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    StylePresetId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CreatedByUserId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    RunByUserId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Storyboards", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "StylePresets",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 60, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    CreatedByUserId = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StylePresets", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Generations_ShotId",
                table: "Generations",
                column: "ShotId");

            migrationBuilder.CreateIndex(
                name: "IX_FinalCuts_State",
                table: "FinalCuts",
                column: "State");

            migrationBuilder.CreateIndex(
                name: "IX_FinalCuts_StoryboardId_CreatedAt",
                table: "FinalCuts",
                columns: new[] { "StoryboardId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_FinalCuts_TeamId",
                table: "FinalCuts",
                column: "TeamId");

            migrationBuilder.CreateIndex(
                name: "IX_Shots_StoryboardId_Position",
                table: "Shots",
                columns: new[] { "StoryboardId", "Position" });

            migrationBuilder.CreateIndex(
                name: "IX_Shots_TeamId",
                table: "Shots",
                column: "TeamId");

            migrationBuilder.CreateIndex(
                name: "IX_Storyboards_ProjectId_UpdatedAt",
                table: "Storyboards",
                columns: new[] { "ProjectId", "UpdatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Storyboards_TeamId",
                table: "Storyboards",
                column: "TeamId");

            migrationBuilder.CreateIndex(
                name: "IX_StylePresets_TeamId_Name",
                table: "StylePresets",
                columns: new[] { "TeamId", "Name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FinalCuts");

            migrationBuilder.DropTable(
                name: "Shots");

            migrationBuilder.DropTable(
                name: "Storyboards");

            migrationBuilder.DropTable(
                name: "StylePresets");

            migrationBuilder.DropIndex(
                name: "IX_Generations_ShotId",
                table: "Generations");

            migrationBuilder.DropColumn(
                name: "ContinuedFromGenerationId",
                table: "Generations");

            migrationBuilder.DropColumn(
                name: "ShotId",
                table: "Generations");
        }
    }
}
