namespace Mothership.Store.Tests;

/// <summary>Personal API tokens: stored by hash, found by hash, listed per owner, revoked once, their use recorded at most once a minute.</summary>
public abstract partial class RunStoreContractTests
{
    private static ApiToken Token(string id, string owner = "alice", string? hash = null) => new()
    {
        Id = id,
        Owner = owner,
        Description = "ci for " + id,
        Hash = hash ?? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id))),
        CreatedAt = Start,
        ExpiresAt = Start.AddDays(90),
    };

    [Fact(Timeout = 60000)]
    public async Task FindApiTokenAsync_StoredHash_WholeRecordBack()
    {
        var token = Token("t1");
        await Store.CreateApiTokenAsync(token, Ct);

        Assert.Equal(token, await Store.FindApiTokenAsync(token.Hash, Ct));
        Assert.Equal(token, await Store.GetApiTokenAsync("t1", Ct));
        Assert.Null(await Store.FindApiTokenAsync(new string('0', 64), Ct));
        Assert.Null(await Store.GetApiTokenAsync("t2", Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task CreateApiTokenAsync_SameHashTwice_Refused()
    {
        await Store.CreateApiTokenAsync(Token("t1", hash: new string('a', 64)), Ct);

        await Assert.ThrowsAnyAsync<Exception>(() => Store.CreateApiTokenAsync(Token("t2", hash: new string('a', 64)), Ct));
        Assert.Single(await Store.ListApiTokensAsync(null, Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task ListApiTokensAsync_ByOwnerOrAll_OldestFirst()
    {
        await Store.CreateApiTokenAsync(Token("t2", "alice") with { CreatedAt = Start.AddMinutes(1) }, Ct);
        await Store.CreateApiTokenAsync(Token("t1", "alice"), Ct);
        await Store.CreateApiTokenAsync(Token("t3", "bob"), Ct);

        Assert.Equal(["t1", "t2"], (await Store.ListApiTokensAsync("alice", Ct)).Select(t => t.Id));
        Assert.Equal(["t1", "t3", "t2"], (await Store.ListApiTokensAsync(null, Ct)).Select(t => t.Id));
        Assert.Empty(await Store.ListApiTokensAsync("carol", Ct));
    }

    [Fact(Timeout = 60000)]
    public async Task RevokeApiTokenAsync_Twice_FirstTimeKept()
    {
        await Store.CreateApiTokenAsync(Token("t1"), Ct);

        Assert.True(await Store.RevokeApiTokenAsync("t1", Start.AddHours(1), Ct));
        Assert.False(await Store.RevokeApiTokenAsync("t1", Start.AddHours(2), Ct));
        Assert.False(await Store.RevokeApiTokenAsync("nope", Start.AddHours(2), Ct));
        Assert.Equal(Start.AddHours(1), (await Store.GetApiTokenAsync("t1", Ct))!.RevokedAt);
    }

    [Fact(Timeout = 60000)]
    public async Task TouchApiTokenAsync_WithinInterval_WritesOnce()
    {
        await Store.CreateApiTokenAsync(Token("t1"), Ct);
        var minute = TimeSpan.FromMinutes(1);

        Assert.True(await Store.TouchApiTokenAsync("t1", Start.AddSeconds(10), minute, Ct));
        Assert.False(await Store.TouchApiTokenAsync("t1", Start.AddSeconds(40), minute, Ct));
        Assert.Equal(Start.AddSeconds(10), (await Store.GetApiTokenAsync("t1", Ct))!.LastUsedAt);
        Assert.True(await Store.TouchApiTokenAsync("t1", Start.AddSeconds(70), minute, Ct));
        Assert.Equal(Start.AddSeconds(70), (await Store.GetApiTokenAsync("t1", Ct))!.LastUsedAt);
    }
}
