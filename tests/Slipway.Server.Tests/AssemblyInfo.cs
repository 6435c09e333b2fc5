using Slipway.TestSupport;

[assembly: AssemblyFixture(typeof(PostgresServer))]
