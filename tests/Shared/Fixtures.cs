namespace Mothership.Testing;

/// <summary>
/// Finds the shared test fixtures: <c>MOTHERSHIP_FIXTURES</c>, else <c>../shared/fixtures</c>
/// next to the repository (the folder holding Mothership.slnx). A suite that needs them asks for
/// its folder here, so that a missing folder follows <see cref="Prerequisites"/>: skipped with
/// the reason on a developer's machine, failed on CI.
/// </summary>
public static class Fixtures
{
    /// <summary>Where the fixtures are looked for: <c>MOTHERSHIP_FIXTURES</c> when set, else <c>../shared/fixtures</c>.</summary>
    public static string Location() =>
        Environment.GetEnvironmentVariable("MOTHERSHIP_FIXTURES") is { Length: > 0 } fromEnv
            ? fromEnv
            : Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "fixtures"));

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

    /// <summary>The Tekton examples folder (<c>tekton/v1</c>), or ends the calling test (skipped, or failed on CI).</summary>
    public static string TektonV1() =>
        Require(Path.Combine("tekton", "v1"), "pipelineruns", "Tekton", "tektoncd/pipeline examples/v1");

    /// <summary>The OpenStack-Helm charts folder (Chart.yaml and values.yaml of 80 charts), or ends the calling test (skipped, or failed on CI).</summary>
    public static string OpenStackHelm() =>
        Require("openstack-helm", "keystone", "OpenStack-Helm", "openstack/openstack-helm");

    /// <summary>The Tekton Catalog tasks folder (<c>tekton-catalog/task</c>: eleven tasks as published), or ends the calling test (skipped, or failed on CI).</summary>
    public static string TektonCatalog() =>
        Require(Path.Combine("tekton-catalog", "task"), "git-cli", "Tekton Catalog", "tektoncd/catalog");

    /// <summary>
    /// The recorded GitHub REST traffic (<c>github-api</c>: octokit/fixtures scenarios, each file a
    /// list of requests and GitHub's answers with headers), or ends the calling test (skipped, or failed on CI).
    /// </summary>
    public static string GitHubApi() =>
        Require("github-api", "create-status.json", "GitHub API recordings", "octokit/fixtures");

    /// <summary>
    /// GitHub's webhook payloads (<c>github-webhooks/EVENT/ACTION.payload.json</c>, octokit/webhooks
    /// examples), or ends the calling test (skipped, or failed on CI).
    /// </summary>
    public static string GitHubWebhooks() =>
        Require("github-webhooks", "pull_request", "GitHub webhook payloads", "octokit/webhooks");

    /// <summary>
    /// Kubernetes' release-notes goldens (<c>k8s-release-notes</c>: the "Changes by Kind" document
    /// and the inputs and ordering rules that produce it, as data), or ends the calling test (skipped, or failed on CI).
    /// </summary>
    public static string K8sReleaseNotes() =>
        Require("k8s-release-notes", "inputs.json", "Kubernetes release-notes goldens", "kubernetes/release pkg/notes/document/testdata");

    /// <summary>Present only when <paramref name="folder"/> holds <paramref name="probe"/> (a folder or a file); a half-copied folder counts as missing.</summary>
    private static string Require(string folder, string probe, string what, string upstream)
    {
        var dir = Path.Combine(Location(), folder);
        var probed = Path.Combine(dir, probe);
        if (!Directory.Exists(probed) && !File.Exists(probed))
        {
            Prerequisites.Missing(
                $"{what} fixtures not found at {dir}: set MOTHERSHIP_FIXTURES or check out ../shared/fixtures (upstream: {upstream} at the commit in SOURCE.md)",
                "fetch the fixtures before the tests (README, \"Test fixtures\")");
        }

        return dir;
    }
}
