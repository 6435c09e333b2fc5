using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Slipway.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class BuildServer : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Server",
                table: "Builds",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Server",
                table: "Builds");
        }
    }
}
