using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Slipway.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddAddons : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Addons",
                table: "Releases",
                type: "text",
                nullable: false,
                defaultValue: "[]");

            migrationBuilder.CreateTable(
                name: "AddonBrokers",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Url = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    Username = table.Column<string>(type: "text", nullable: true),
                    Password = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AddonBrokers", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "Addons",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AppId = table.Column<Guid>(type: "uuid", nullable: false),
                    Name = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    BrokerName = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    ServiceId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    ServiceName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    PlanId = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    PlanName = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Parameters = table.Column<string>(type: "text", nullable: true),
                    State = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    StateMessage = table.Column<string>(type: "character varying(4096)", maxLength: 4096, nullable: true),
                    Operation = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: true),
                    BindingId = table.Column<Guid>(type: "uuid", nullable: false),
                    Bound = table.Column<bool>(type: "boolean", nullable: false),
                    ConfigVars = table.Column<string>(type: "text", nullable: false),
                    DashboardUrl = table.Column<string>(type: "text", nullable: true),
                    CreatedBy = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Addons", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Addons_Apps_AppId",
                        column: x => x.AppId,
                        principalTable: "Apps",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Addons_AppId_Name",
                table: "Addons",
                columns: new[] { "AppId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Addons_State",
                table: "Addons",
                column: "State");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AddonBrokers");

            migrationBuilder.DropTable(
                name: "Addons");

            migrationBuilder.DropColumn(
                name: "Addons",
                table: "Releases");
        }
    }
}
