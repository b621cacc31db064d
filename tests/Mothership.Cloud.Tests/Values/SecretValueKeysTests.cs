using Mothership.Cloud.Deploy;
using Mothership.Cloud.Values;

namespace Mothership.Cloud.Tests.Values;

/// <summary>One masking rule for values: the drift report and the deploy pipeline's log filter.</summary>
public sealed class SecretValueKeysTests
{
    [Theory]
    [InlineData("admin_password", true)]
    [InlineData("DB_PASSWD", true)]
    [InlineData("fernet_token", true)]
    [InlineData("ssh_private_key", true)]
    [InlineData("memcache_secret_key", true)]
    [InlineData("replicas", false)]
    [InlineData("keystone_url", false)]
    public void IsSecret_Key_AsTheDeployMaskReadsIt(string key, bool secret) =>
        Assert.Equal(secret, SecretValueKeys.IsSecret(key));

    [Fact]
    public void Diff_MaskFilter_UsesThePattern() =>
        Assert.Contains(
            @"mask() { sed -E 's/^([-+ ]?[[:space:]]*[A-Za-z0-9_.-]*(password|passwd|secret|token|private_key|cookie|credential)[A-Za-z0-9_.-]*:[[:space:]]*).+$/\1********/I'; }" + "\n",
            DeployScripts.Diff,
            StringComparison.Ordinal);
}
