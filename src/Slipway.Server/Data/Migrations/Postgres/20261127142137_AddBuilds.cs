using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Slipway.Server.Data.Migrations.Postgres
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
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Builds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    ShortId = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    AppId = table.Column<Guid>(type: "uuid", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    SourceUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    SourceChecksum = table.Column<string>(type: "character varying(71)", maxLength: 71, nullable: true),
                    SourceDigest = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    SourceVersion = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    SourceUploadId = table.Column<Guid>(type: "uuid", nullable: true),
                    Commit = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Author = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Message = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: true),
                    Repo = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    Branch = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    BuildpackUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    BuildpackName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    SlugId = table.Column<Guid>(type: "uuid", nullable: true),
                    SlugReused = table.Column<bool>(type: "boolean", nullable: false),
                    ReleaseId = table.Column<Guid>(type: "uuid", nullable: true),
                    ReleaseVersion = table.Column<int>(type: "integer", nullable: true),
                    Deploy = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    FailureReason = table.Column<string>(type: "character varying(4096)", maxLength: 4096, nullable: true),
                    OutputKey = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Uploaded = table.Column<bool>(type: "boolean", nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: true),
                    Checksum = table.Column<string>(type: "character varying(71)", maxLength: 71, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                    BuildId = table.Column<Guid>(type: "uuid", nullable: false),
                    Lines = table.Column<string>(type: "text", nullable: false)
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

            migrationBuilder.AddForeignKey(
                name: "FK_Releases_Builds_BuildId",
                table: "Releases",
                column: "BuildId",
                principalTable: "Builds",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Releases_Builds_BuildId",
                table: "Releases");

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
