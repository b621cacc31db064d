namespace Mothership.Testing;

/// <summary>
/// Compares what a test produced with a file checked into the repository. After a deliberate
/// change, <c>MSHIP_UPDATE_GOLDEN=1</c> rewrites the files that differ, and each test whose file
/// it wrote fails saying so: a run that changed the expectations has proven nothing, so it must
/// never look green. With <c>CI</c> set nothing is ever rewritten (<see cref="Prerequisites.OnCi"/>).
/// </summary>
public static class GoldenFile
{
    /// <summary>The environment variable that asks for files to be rewritten (value <c>1</c>).</summary>
    public const string UpdateVariable = "MSHIP_UPDATE_GOLDEN";

    /// <summary>Asserts <paramref name="actual"/> equals the text of <paramref name="path"/>, or rewrites it on request.</summary>
    public static void AssertMatches(string path, string actual)
    {
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Assert.False(Prerequisites.OnCi, $"{UpdateVariable}=1 with CI set: golden files are never rewritten on CI; update them locally and commit the diff");
            if (!File.Exists(path) || File.ReadAllText(path) != actual)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, actual);
                Assert.Fail($"{path} was rewritten ({UpdateVariable}=1): review its diff, then run again without {UpdateVariable}");
            }
        }

        Assert.True(File.Exists(path), $"{path} is missing: run the tests once with {UpdateVariable}=1 and review the new file");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
