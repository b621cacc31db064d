using System.Security.Cryptography;
using System.Text;
using Mothership.Engine.Scheduling;

namespace Mothership.Engine.Tests.Scheduling;

public sealed class Sha256DigestTests
{
    [Fact]
    public void Hash_KnownVectors_MatchFips180()
    {
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(Sha256Digest.Hash([])));
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Convert.ToHexStringLower(Sha256Digest.Hash("abc"u8)));
        Assert.Equal(
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            Convert.ToHexStringLower(Sha256Digest.Hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"u8)));
    }

    [Fact]
    public void Hash_EveryLengthAcrossThreeBlocks_MatchesTheBcl()
    {
        // Every padding case: lengths around 55/56/64 bytes and their multiples.
        var random = new Random(19);
        for (var length = 0; length <= 200; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(SHA256.HashData(data), Sha256Digest.Hash(data));
        }
    }

    [Fact]
    public void Uid_SameInputs_SameAsBeforeTheManagedHash()
    {
        // The uid names run directories and journal entries: it must not change across versions.
        var expected = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes("run-uid/my-run-build")).AsSpan(0, 16)).ToString();
        Assert.Equal(expected, PipelineTaskRuns.Uid("run-uid", "my-run-build"));
    }
}
