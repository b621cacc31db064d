using Mothership.Executors.Local.Workspaces;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Local.Sandbox;

/// <summary>
/// Decides whether a task runs in Tekton's layout (steps under bubblewrap with
/// <c>/workspace</c>, <c>/tekton/results</c>, <c>/tekton/home</c>, … bound to the attempt's
/// directories) or directly on the host with every variable pointing at host directories.
/// </summary>
/// <remarks>
/// The rule, per task: the layout is needed when any step or sidecar has <c>volumeMounts</c>,
/// lists workspaces (isolated workspaces, which other steps must not see), or has an absolute
/// <c>workingDir</c> that does not exist on the host (it gets a directory of the attempt there
/// rather than one created on the host); when the task declares a workspace <c>mountPath</c> or a
/// <c>readOnly</c> workspace (mounted read-only); or when a step's text (script, command, args, workingDir, env values,
/// stdout/stderr paths) contains <c>/tekton/</c> or <c>/workspace</c> literally; or when a step's
/// <c>env</c> sets <c>HOME</c> to an absolute path (a container's home, such as <c>/root</c>,
/// which the step gets as a private directory: it writes its dotfiles there, never into the
/// host's; without bubblewrap, HOME is that private directory's host path). Variables such as
/// <c>$(workspaces.w.path)</c> do not count: they are substituted with host paths when the
/// layout is not used. Everything else runs without bubblewrap, because a bwrap per step costs
/// a few milliseconds and the benchmark of 500 trivial tasks must stay within 1.5× of make.
/// The sandbox always uses the layout.
/// </remarks>
internal static class LayoutRule
{
    public static bool NeedsTektonLayout(TaskSpec spec) =>
        spec.Workspaces.Any(w => w.MountPath is not null || w.ReadOnly) ||
        spec.Steps.Concat(spec.Sidecars).Append(spec.StepTemplate).OfType<Step>().Any(StepNeedsLayout);

    private static bool StepNeedsLayout(Step s) =>
        OwnHome(s) is not null ||
        !s.VolumeMounts.IsDefaultOrEmpty ||
        !s.Workspaces.IsDefaultOrEmpty ||
        (s.WorkingDir is { } dir && dir.StartsWith('/') && !dir.Contains("$(", StringComparison.Ordinal) && !Directory.Exists(dir)) ||
        Texts(s).Any(t => t is not null &&
            (t.Contains("/tekton/", StringComparison.Ordinal) || t.Contains("/workspace", StringComparison.Ordinal)));

    /// <summary>
    /// The attempt directories a task without the layout needs besides home and workspace:
    /// results when it declares any, scripts when a step has one, the steps directory when a step
    /// declares results or anything names a <c>steps.</c> variable, creds when anything names
    /// <c>credentials.path</c>. With the layout every directory is bound, so all are needed.
    /// </summary>
    public static AttemptParts NeededParts(TaskSpec spec, bool layout)
    {
        if (layout)
        {
            return AttemptParts.All;
        }

        var steps = spec.Steps.Concat(spec.Sidecars).Append(spec.StepTemplate).OfType<Step>().ToList();
        var texts = steps.SelectMany(Texts).Concat(spec.Results.Select(r => r.Value?.ToString())).OfType<string>().ToList();
        var parts = AttemptParts.None;
        if (!spec.Results.IsDefaultOrEmpty)
        {
            parts |= AttemptParts.Results;
        }

        if (steps.Any(s => s.Script is not null))
        {
            parts |= AttemptParts.Scripts;
        }

        if (steps.Any(s => !s.Results.IsDefaultOrEmpty) || texts.Any(t => t.Contains("steps.", StringComparison.Ordinal)))
        {
            parts |= AttemptParts.Steps;
        }

        if (texts.Any(t => t.Contains("credentials.path", StringComparison.Ordinal)))
        {
            parts |= AttemptParts.Creds;
        }

        return parts;
    }

    /// <summary>The absolute <c>HOME</c> a step's own env sets, if any: a container's home directory.</summary>
    public static string? OwnHome(Step s) =>
        s.Env.LastOrDefault(e => e.Name == "HOME") is { Value: { } home } && home.StartsWith('/') && !home.Contains("$(", StringComparison.Ordinal)
            ? home.TrimEnd('/')
            : null;

    private static IEnumerable<string?> Texts(Step s) =>
        s.Command.Concat(s.Args).Concat(s.ReadinessCommand)
            .Append(s.Script).Append(s.WorkingDir)
            .Append(s.StdoutConfig?.Path).Append(s.StderrConfig?.Path)
            .Concat(s.Env.Select(e => e.Value));
}
