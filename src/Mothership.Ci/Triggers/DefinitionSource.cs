namespace Mothership.Ci.Triggers;

/// <summary>
/// Where a repository's own job definitions (<c>.tekton/</c> for Pipelines-as-Code,
/// <c>.prow.yaml</c> for Prow's in-repo config) are read for a change. The security point: an
/// untrusted change must not run definitions it wrote, so they are read from a ref it cannot
/// have written (PaC's <c>pipelinerun_provenance: default_branch</c>).
/// </summary>
internal static class DefinitionSource
{
    /// <summary>The tested commit <paramref name="testedSha"/> when the change is trusted, else <paramref name="protectedRef"/> (null when there is none: read nothing).</summary>
    public static string? Ref(bool trusted, string testedSha, string? protectedRef) => trusted ? testedSha : protectedRef;
}
