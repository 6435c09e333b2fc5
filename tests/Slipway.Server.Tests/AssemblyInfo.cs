
[assembly: AssemblyFixture(typeof(PostgresServer))]
