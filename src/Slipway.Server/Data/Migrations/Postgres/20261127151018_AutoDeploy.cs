using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Slipway.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AutoDeploy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Notes",
                table: "Builds",
                type: "character varying(1024)",
                maxLength: 1024,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AutoDeployCommits",
                columns: table => new
                {
                    AppId = table.Column<Guid>(type: "uuid", nullable: false),
                    Commit = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    BuildId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AutoDeployCommits", x => new { x.AppId, x.Commit });
                    table.ForeignKey(
                        name: "FK_AutoDeployCommits_Apps_AppId",
                        column: x => x.AppId,
                        principalTable: "Apps",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AutoDeployCommits_Builds_BuildId",
                        column: x => x.BuildId,
                        principalTable: "Builds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AutoDeploySettings",
                columns: table => new
                {
                    AppId = table.Column<Guid>(type: "uuid", nullable: false),
                    Repo = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    RepoFullName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Branch = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Username = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ProtectedToken = table.Column<string>(type: "text", nullable: true),
                    ProtectedWebhookSecret = table.Column<string>(type: "text", nullable: false),
                    Deploy = table.Column<bool>(type: "boolean", nullable: false),
                    LastCommit = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    LastCommitAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AutoDeploySettings", x => x.AppId);
                    table.ForeignKey(
                        name: "FK_AutoDeploySettings_Apps_AppId",
                        column: x => x.AppId,
                        principalTable: "Apps",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AutoDeploySettings_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AutoDeployCommits_AppId_CreatedAt",
                table: "AutoDeployCommits",
                columns: new[] { "AppId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AutoDeployCommits_BuildId",
                table: "AutoDeployCommits",
                column: "BuildId");

            migrationBuilder.CreateIndex(
                name: "IX_AutoDeploySettings_Kind",
                table: "AutoDeploySettings",
                column: "Kind");

            migrationBuilder.CreateIndex(
                name: "IX_AutoDeploySettings_RepoFullName",
                table: "AutoDeploySettings",
                column: "RepoFullName");

            migrationBuilder.CreateIndex(
                name: "IX_AutoDeploySettings_UserId",
                table: "AutoDeploySettings",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AutoDeployCommits");

            migrationBuilder.DropTable(
                name: "AutoDeploySettings");

            migrationBuilder.DropColumn(
                name: "Notes",
                table: "Builds");
        }
    }
}
