namespace Mothership.Store.Tests;

/// <summary>Parsing of --database strings; nothing here connects.</summary>
public sealed class RunStoreFactoryTests
{
    [Theory]
    [InlineData("")]
    [InlineData("mysql://u@h/db")]
    [InlineData("/var/lib/runs.db")]
    [InlineData("sqlite:")]
    [InlineData("sqlite::memory:")]
    [InlineData("postgres://h")]
    [InlineData("postgres://h:5432/")]
    [InlineData("postgres://u@h/db?nonsense=1")]
    [InlineData("Host=h;Bogus=1")]
    public void Open_BadString_ThrowsArgumentException(string database)
    {
        var error = Assert.Throws<ArgumentException>(() => RunStoreFactory.Open(database, TimeProvider.System));
        Assert.Equal("database", error.ParamName);
    }

    [Fact]
    public void Open_UnknownSchemeWithPassword_DoesNotEchoThePassword()
    {
        var error = Assert.Throws<ArgumentException>(() => RunStoreFactory.Open("mysql://u:s3cret@h/db", TimeProvider.System));
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres://u:p%40ss@db.example:5433/runs?sslmode=disable")]
    [InlineData("postgresql://db.example/runs")]
    [InlineData("Host=db.example;Database=runs;Username=u")]
    public async Task Open_PostgresStrings_OpensWithoutConnecting(string database)
    {
        await using var store = RunStoreFactory.Open(database, TimeProvider.System);
        Assert.Equal("postgres", store.Provider);
    }
}
