namespace Slipway.Server.Tests.AutoDeploy;

/// <summary>The auto-deploy server of <see cref="AutoDeployServerFixture"/> on PostgreSQL.</summary>
public sealed class PostgresAutoDeployServerFixture(PostgresServer postgres) : AutoDeployServerFixture(postgres);
