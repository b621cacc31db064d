using System.Security.Cryptography;
using System.Text;
using Mothership.Engine.Scheduling;

namespace Mothership.Engine.Tests.Scheduling;

/// <summary>
/// TaskRun names and uids name run directories and journal entries: computed with managed digests
/// (no OpenSSL to load), they must stay what the BCL's hashes gave.
/// </summary>
public sealed class PipelineTaskRunsDigestTests
{
    [Theory]
    [InlineData("run-uid", "my-run-build")]
    [InlineData("", "")]
    [InlineData("8e0c4f8e-7c1e-4f64-9a3f-1d2c3b4a5e6f", "a-pipeline-run-with-a-long-name-build-and-test-the-whole-thing")]
    public void Uid_SameInputs_SameAsTheBclSha256(string parent, string name)
    {
        var expected = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(parent + "/" + name)).AsSpan(0, 16)).ToString();

        Assert.Equal(expected, PipelineTaskRuns.Uid(parent, name));
    }

    [Fact]
    public void Name_LongerThan63_EndsWithTheBclMd5()
    {
        var run = new string('r', 50);
        var task = "a-task-whose-name-is-long-enough";
        var full = $"{run}-{task}";

        var name = PipelineTaskRuns.Name(run, task);

        Assert.Equal(63, name.Length);
        Assert.EndsWith("-" + Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(full)))[..32], name, StringComparison.Ordinal);
    }
}
