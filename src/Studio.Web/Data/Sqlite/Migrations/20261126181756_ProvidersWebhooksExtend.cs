using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Studio.Web.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ProvidersWebhooksExtend : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DefaultProvider",
                table: "Teams",
                type: "TEXT",
                maxLength: 32,
                nullable: false,
                defaultValue: "runway");

            migrationBuilder.AlterColumn<int>(
                name: "EstimatedCredits",
                table: "Generations",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(int),
                oldType: "INTEGER");

            migrationBuilder.AlterColumn<double>(
                name: "CostCredits",
                table: "Generations",
                type: "REAL",
                nullable: true,
                oldClrType: typeof(int),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "CallbackExpectedBy",
                table: "Generations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CallbackTokenHash",
                table: "Generations",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ParentGenerationId",
                table: "Generations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ProviderDetail",
                table: "Generations",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Quality",
                table: "Generations",
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "TeamProviderKeys",
                columns: table => new
                {
                    TeamId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Provider = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    ProtectedApiKey = table.Column<string>(type: "TEXT", nullable: false),
                    ProtectedWebhookSigningKey = table.Column<string>(type: "TEXT", nullable: true),
                    KeyHint = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    UpdatedByUserId = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TeamProviderKeys", x => new { x.TeamId, x.Provider });
                    table.ForeignKey(
                        name: "FK_TeamProviderKeys_Teams_TeamId",
                        column: x => x.TeamId,
                        principalTable: "Teams",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Generations_ParentGenerationId",
                table: "Generations",
                column: "ParentGenerationId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "TeamProviderKeys");

            migrationBuilder.DropIndex(
                name: "IX_Generations_ParentGenerationId",
                table: "Generations");

            migrationBuilder.DropColumn(
                name: "DefaultProvider",
                table: "Teams");

            migrationBuilder.DropColumn(
                name: "CallbackExpectedBy",
                table: "Generations");

            migrationBuilder.DropColumn(
                name: "CallbackTokenHash",
                table: "Generations");

            migrationBuilder.DropColumn(
                name: "ParentGenerationId",
                table: "Generations");

            migrationBuilder.DropColumn(
                name: "ProviderDetail",
                table: "Generations");

            migrationBuilder.DropColumn(
                name: "Quality",
                table: "Generations");

            migrationBuilder.AlterColumn<int>(
                name: "EstimatedCredits",
                table: "Generations",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0,
                oldClrType: typeof(int),
                oldType: "INTEGER",
                oldNullable: true);

            migrationBuilder.AlterColumn<int>(
                name: "CostCredits",
                table: "Generations",
                type: "INTEGER",
                nullable: true,
                oldClrType: typeof(double),
                oldType: "REAL",
                oldNullable: true);
        }
    }
}
