using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Slipway.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class Lifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FailureLog",
                table: "Releases",
                type: "character varying(8192)",
                maxLength: 8192,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReuseKey",
                table: "Builds",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Slugs_Checksum",
                table: "Slugs",
                column: "Checksum");

            migrationBuilder.CreateIndex(
                name: "IX_Builds_AppId_ReuseKey",
                table: "Builds",
                columns: new[] { "AppId", "ReuseKey" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Slugs_Checksum",
                table: "Slugs");

            migrationBuilder.DropIndex(
                name: "IX_Builds_AppId_ReuseKey",
                table: "Builds");

            migrationBuilder.DropColumn(
                name: "FailureLog",
                table: "Releases");

            migrationBuilder.DropColumn(
                name: "ReuseKey",
                table: "Builds");
        }
    }
}
