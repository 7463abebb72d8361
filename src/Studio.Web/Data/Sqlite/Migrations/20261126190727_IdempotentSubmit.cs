using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Studio.Web.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class IdempotentSubmit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ClientRequestId",
                table: "Generations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Generations_CreatedByUserId_ClientRequestId",
                table: "Generations",
                columns: new[] { "CreatedByUserId", "ClientRequestId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Generations_CreatedByUserId_ClientRequestId",
                table: "Generations");

            migrationBuilder.DropColumn(
                name: "ClientRequestId",
                table: "Generations");
        }
    }
}
