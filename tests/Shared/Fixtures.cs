namespace Mothership.Testing;

/// <summary>
/// Finds the shared test fixtures: <c>MOTHERSHIP_FIXTURES</c>, else <c>../shared/fixtures</c>
/// next to the repository (the folder holding Mothership.slnx).
/// </summary>
public static class Fixtures
{
    /// <summary>The fixtures root, or null when it is not on this machine.</summary>
    public static string? Root()
    {
        if (Environment.GetEnvironmentVariable("MOTHERSHIP_FIXTURES") is { Length: > 0 } fromEnv)
        {
            return Directory.Exists(fromEnv) ? fromEnv : null;
        }

        var shared = Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "fixtures"));
        return Directory.Exists(shared) ? shared : null;
    }

    /// <summary>The folder holding Mothership.slnx (the repository root).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mothership.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("tests must run inside the repository (no Mothership.slnx above " + AppContext.BaseDirectory + ")");
    }

    /// <summary>The Tekton examples folder (<c>tekton/v1</c>), or skips the calling test.</summary>
    public static string TektonV1()
    {
        var root = Root();
        var dir = root is null ? null : Path.Combine(root, "tekton", "v1");
        if (dir is null || !Directory.Exists(dir))
        {
            Assert.Skip("Tekton fixtures not found: set MOTHERSHIP_FIXTURES or check out ../shared/fixtures (upstream: tektoncd/pipeline examples/v1 at the commit in SOURCE.md)");
        }

        return dir;
    }

    /// <summary>The OpenStack-Helm charts folder (Chart.yaml and values.yaml of 80 charts), or skips the calling test.</summary>
    public static string OpenStackHelm()
    {
        var root = Root();
        var dir = root is null ? null : Path.Combine(root, "openstack-helm");
        if (dir is null || !Directory.Exists(Path.Combine(dir, "keystone")))
        {
            Assert.Skip("OpenStack-Helm fixtures not found: set MOTHERSHIP_FIXTURES or check out ../shared/fixtures (upstream: openstack/openstack-helm at the commit in SOURCE.md)");
        }

        return dir;
    }
}
