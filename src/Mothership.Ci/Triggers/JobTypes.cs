namespace Mothership.Ci.Triggers;

/// <summary>Prow's job types (<c>JOB_TYPE</c>, label <c>prow.k8s.io/type</c>).</summary>
public static class JobTypes
{
    public const string Presubmit = "presubmit";
    public const string Postsubmit = "postsubmit";
    public const string Periodic = "periodic";

    /// <summary>Several pull requests tested together by the merge pool.</summary>
    public const string Batch = "batch";
}
