using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Studio.Web.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CallbackReceived : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "CallbackReceivedAt",
                table: "Generations",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CallbackReceivedAt",
                table: "Generations");
        }
    }
}
