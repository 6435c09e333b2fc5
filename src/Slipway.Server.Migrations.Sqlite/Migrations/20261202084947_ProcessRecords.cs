using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Slipway.Server.Data.Migrations
{
    /// <inheritdoc />
    public partial class ProcessRecords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ProcessRecords",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ServerId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AppId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AppKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ReleaseVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    ProcessType = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    DynoName = table.Column<string>(type: "TEXT", maxLength: 220, nullable: false),
                    Address = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProcessRecords", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ProcessRecords_AppId",
                table: "ProcessRecords",
                column: "AppId");

            migrationBuilder.CreateIndex(
                name: "IX_ProcessRecords_ServerId_AppId",
                table: "ProcessRecords",
                columns: new[] { "ServerId", "AppId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ProcessRecords");
        }
    }
}
