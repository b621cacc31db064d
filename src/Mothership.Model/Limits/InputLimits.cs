namespace Mothership.Model.Limits;

/// <summary>
/// How much input Mothership reads before it refuses: each limit bounds the memory and time one
/// file or request body can cost, so a hostile or broken file becomes a diagnostic naming the
/// limit instead of a crash or an out-of-memory. The defaults are far above what real pipelines
/// need (a 10,000-task pipeline loads with room to spare); a host may pass other values.
/// </summary>
public sealed record InputLimits
{
    /// <summary>The limits every host uses unless it says otherwise.</summary>
    public static InputLimits Default { get; } = new();

    /// <summary>
    /// The longest timeout Mothership accepts: 1000h (about 41 days). .NET's timers wait at most
    /// about 49.7 days (2^32 - 2 ms), so a longer timeout could not be waited for. Not configurable:
    /// it is the runtime's. Use <c>0</c> for no timeout.
    /// </summary>
    public static TimeSpan MaxTimeout { get; } = TimeSpan.FromHours(1000);

    /// <summary>
    /// What a timer waits for <paramref name="delay"/>: at least a millisecond, and at most
    /// <see cref="MaxTimeout"/>, since a timer cannot wait past about 49.7 days. A farther moment is
    /// reached by waking up and looking again, which changes nothing until it is due.
    /// </summary>
    public static TimeSpan TimerDelay(TimeSpan delay) =>
        delay < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : delay > MaxTimeout ? MaxTimeout : delay;

    /// <summary>
    /// Deepest nesting of YAML mappings and lists in a document (the document itself is level 1).
    /// Default: 32. Tekton's deepest fields (a pod affinity under <c>taskRunSpecs</c>) need about
    /// 15; run objects, which embed what was written a few levels deeper, must stay within
    /// System.Text.Json's default of 64 levels.
    /// </summary>
    public int MaxYamlDepth { get; init; } = 32;

    /// <summary>
    /// Most YAML nodes (scalars, mappings, lists) in one file or request body, each alias counted
    /// as the nodes it stands for. Default: 1,000,000 (a 10,000-task pipeline has about 200,000).
    /// </summary>
    public int MaxYamlNodes { get; init; } = 1_000_000;

    /// <summary>
    /// Most nodes that aliases (<c>*name</c>) may add to one file or request body by repeating
    /// what their anchor holds; every use of an alias counts, so this also bounds how many there
    /// are. Default: 100,000. It stops "billion laughs" documents, whose few hundred bytes expand
    /// to millions of nodes.
    /// </summary>
    public int MaxYamlAliasNodes { get; init; } = 100_000;

    /// <summary>Longest single YAML value (a script, a description), in characters. Default: 1 MiB (1,048,576).</summary>
    public int MaxYamlScalarLength { get; init; } = 1 << 20;

    /// <summary>
    /// Largest access policy file (<c>policy.csv</c>, Argo CD's RBAC format), in bytes. Default:
    /// 1 MiB (1,048,576); a policy for hundreds of teams is a few tens of kilobytes.
    /// </summary>
    public int MaxPolicyBytes { get; init; } = 1 << 20;

    /// <summary>Most lines in one access policy file, comments and blank lines included. Default: 20,000.</summary>
    public int MaxPolicyLines { get; init; } = 20_000;

    /// <summary>Most tasks in one pipeline, <c>tasks</c> and <c>finally</c> together. Default: 20,000.</summary>
    public int MaxPipelineTasks { get; init; } = 20_000;

    /// <summary>
    /// Most TaskRuns one <c>matrix</c> fans out to, as Tekton's <c>default-max-matrix-combinations-count</c>.
    /// Default: 256, Tekton's. Checked when the pipeline is validated (for the values written in
    /// it) and again when the task starts (for values that come from params or results).
    /// </summary>
    public int MaxMatrixCombinations { get; init; } = 256;
}
