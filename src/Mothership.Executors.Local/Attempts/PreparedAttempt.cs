using System.Globalization;
using Mothership.Engine.Execution;
using Mothership.Executors.Local.Credentials;
using Mothership.Executors.Local.Sandbox;
using Mothership.Executors.Local.Steps;
using Mothership.Executors.Local.Workspaces;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Executors.Local.Attempts;

/// <summary>
/// One attempt's layout on this machine, made once before its first step and never changed: its
/// directories, whether steps see Tekton's paths through bubblewrap, its workspaces and volumes,
/// and the spec with the executor's variables (<see cref="AttemptVariables"/>) substituted.
/// </summary>
internal sealed record PreparedAttempt
{
    public required AttemptDirectories Dirs { get; init; }

    public required AttemptParts Parts { get; init; }

    /// <summary>Steps run under bubblewrap and see <c>/workspace</c>, <c>/tekton/…</c>; else host paths.</summary>
    public required bool Layout { get; init; }

    public required IReadOnlyList<ResolvedWorkspace> Workspaces { get; init; }

    /// <summary>The task's volumes, by name, as host directories.</summary>
    public required IReadOnlyDictionary<string, string> Volumes { get; init; }

    /// <summary>Workspaces some step or sidecar lists: only those see them.</summary>
    public required IReadOnlySet<string> Isolated { get; init; }

    /// <summary>The spec with the attempt-wide variables substituted.</summary>
    public required TaskSpec Spec { get; init; }

    /// <summary>Where the steps find Tekton's directories.</summary>
    public AttemptPaths Paths => Layout ? AttemptPaths.Tekton : new AttemptPaths(Dirs.Results, Dirs.Steps, Dirs.Creds);

    /// <summary>The steps' working directory and the base of relative paths.</summary>
    public string WorkspaceView => View(Dirs.Workspace, "/workspace");

    public string ScriptsView => View(Dirs.Scripts, "/tekton/scripts");

    public string HomeView => View(Dirs.Home, "/tekton/home");

    /// <summary>Whether steps keep a folder each under <c>/tekton/steps</c> (exit codes, step results).</summary>
    public bool KeepsStepFolders => Parts.HasFlag(AttemptParts.Steps);

    private string View(string hostDir, string tektonPath) => Layout ? tektonPath : hostDir;

    /// <summary>
    /// Creates the attempt directory (or reopens it when <paramref name="resumeAfter"/> steps finished: they ran
    /// there), writes the account's credentials, resolves workspaces and volumes and
    /// substitutes the executor's variables. Environment problems fail the attempt here, before
    /// anything runs, as a pod that cannot be created would; this also registers every Secret
    /// value with <paramref name="masker"/> up front.
    /// </summary>
    public static PreparedAttempt Create(LocalExecutorOptions options, TaskRunRequest request, AttemptRules rules, int resumeAfter, SecretMasker masker, SpareAttempts? spares = null)
    {
        rules.CheckPaths();
        var wantsLayout = options.Sandbox || LayoutRule.NeedsTektonLayout(request.Spec);
        var parts = LayoutRule.NeededParts(request.Spec, wantsLayout);
        FreeSpace.Require(options);
        var dirs = AttemptDirectories.Create(options.Root, request.RunUid, request.TaskRunUid, request.RetryCount, parts, resume: resumeAfter > 0, spares);
        RunDirectories.Mark(dirs.Run, options.Instance);
        if (resumeAfter > 0)
        {
            ForgetUnfinishedSteps(dirs, rules, resumeAfter);
        }

        CredentialInitializer.Write(dirs.Home, request, masker);
        var usable = wantsLayout && Bubblewrap.IsUsable(options.BubblewrapPath);
        if (options.Sandbox && !usable)
        {
            throw new AttemptFailure($"the sandbox needs bubblewrap, but \"{options.BubblewrapPath} --dev-bind / / true\" does not work here");
        }

        var resolver = new WorkspaceResolver(request, dirs, masker);
        var workspaces = resolver.ResolveWorkspaces();
        var prepared = new PreparedAttempt
        {
            Dirs = dirs,
            Parts = parts,
            Layout = usable,
            Workspaces = workspaces,
            Volumes = resolver.ResolveVolumes(),
            Isolated = request.Spec.Steps.Concat(request.Spec.Sidecars).SelectMany(s => s.Workspaces).Select(u => u.Name).ToHashSet(StringComparer.Ordinal),
            Spec = request.Spec,
        };
        var views = workspaces.Select(w => new AttemptWorkspace(w.Name, w.HostDirectory is null ? null : usable ? w.MountPath : w.HostDirectory, w.Claim, w.Volume));
        prepared = prepared with { Spec = AttemptVariables.Apply(request.Spec, prepared.Paths, views) };
        foreach (var s in prepared.Spec.Steps.Concat(prepared.Spec.Sidecars))
        {
            StepEnvironment.Build(request, s, ContainerNames.Step(s.Name), dirs.Home, masker);
        }

        return prepared;
    }

    /// <summary>
    /// Removes what the steps from <paramref name="first"/> on left in <c>/tekton/steps</c>: the
    /// step that was running at the crash starts again from nothing, and a step never leaves
    /// results or an exit code for a run it was not part of.
    /// </summary>
    private static void ForgetUnfinishedSteps(AttemptDirectories dirs, AttemptRules rules, int first)
    {
        if (!Directory.Exists(dirs.Steps))
        {
            return;
        }

        for (var i = first; i < rules.StepNames.Length; i++)
        {
            var dir = Path.Combine(dirs.Steps, rules.StepContainer(i));
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }

            // The INDEX link (see AttemptRun); deleting a missing file is no error.
            File.Delete(Path.Combine(dirs.Steps, i.ToString(CultureInfo.InvariantCulture)));
        }
    }
}
