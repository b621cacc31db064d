[assembly: AssemblyFixture(typeof(Mothership.Testing.PostgresFixture))]
