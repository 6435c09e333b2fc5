using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Slipway.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddBuilds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "BuildId",
                table: "Releases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Builds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ShortId = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    AppId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SourceUrl = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    SourceChecksum = table.Column<string>(type: "TEXT", maxLength: 71, nullable: true),
                    SourceDigest = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    SourceVersion = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    SourceUploadId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Commit = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Author = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Message = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    Repo = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    Branch = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    BuildpackUrl = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    BuildpackName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    SlugId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SlugReused = table.Column<bool>(type: "INTEGER", nullable: false),
                    ReleaseId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ReleaseVersion = table.Column<int>(type: "INTEGER", nullable: true),
                    Deploy = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    FailureReason = table.Column<string>(type: "TEXT", maxLength: 4096, nullable: true),
                    OutputKey = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Builds", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Builds_Apps_AppId",
                        column: x => x.AppId,
                        principalTable: "Apps",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_Builds_Slugs_SlugId",
                        column: x => x.SlugId,
                        principalTable: "Slugs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_Builds_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "SourceUploads",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Uploaded = table.Column<bool>(type: "INTEGER", nullable: false),
                    Size = table.Column<long>(type: "INTEGER", nullable: true),
                    Checksum = table.Column<string>(type: "TEXT", maxLength: 71, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SourceUploads", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SourceUploads_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "BuildLogs",
                columns: table => new
                {
                    BuildId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Lines = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BuildLogs", x => x.BuildId);
                    table.ForeignKey(
                        name: "FK_BuildLogs_Builds_BuildId",
                        column: x => x.BuildId,
                        principalTable: "Builds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Releases_BuildId",
                table: "Releases",
                column: "BuildId");

            migrationBuilder.CreateIndex(
                name: "IX_Builds_AppId_CreatedAt",
                table: "Builds",
                columns: new[] { "AppId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Builds_AppId_ShortId",
                table: "Builds",
                columns: new[] { "AppId", "ShortId" });

            migrationBuilder.CreateIndex(
                name: "IX_Builds_AppId_SourceDigest",
                table: "Builds",
                columns: new[] { "AppId", "SourceDigest" });

            migrationBuilder.CreateIndex(
                name: "IX_Builds_SlugId",
                table: "Builds",
                column: "SlugId");

            migrationBuilder.CreateIndex(
                name: "IX_Builds_Status",
                table: "Builds",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_Builds_UserId",
                table: "Builds",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_SourceUploads_ExpiresAt",
                table: "SourceUploads",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_SourceUploads_UserId",
                table: "SourceUploads",
                column: "UserId");

            // Hand-edited: no FK constraint on Releases.BuildId. SQLite cannot add one to an existing
            // table without rebuilding it outside the migration's transaction. Releases go before
            // their builds (an app is destroyed releases first), so the constraint would guard nothing.
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

            migrationBuilder.DropTable(
                name: "BuildLogs");

            migrationBuilder.DropTable(
                name: "SourceUploads");

            migrationBuilder.DropTable(
                name: "Builds");

            migrationBuilder.DropIndex(
                name: "IX_Releases_BuildId",
                table: "Releases");

            migrationBuilder.DropColumn(
                name: "BuildId",
                table: "Releases");
        }
    }
}
