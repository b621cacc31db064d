using System.Text;
using Mothership.Engine.Execution;
using Mothership.Executors.Local.Processes;
using Mothership.Executors.Local.Sandbox;
using Mothership.Executors.Local.Steps;
using Mothership.Executors.Local.Workspaces;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Executors.Local.Attempts;

/// <summary>
/// How one step, sidecar or readiness probe of a prepared attempt is started on this machine: its
/// program, environment and working directory, and, in Tekton's layout, the bubblewrap binds that
/// give it <c>/workspace</c>, <c>/tekton/…</c>, its volumes and workspaces.
/// </summary>
internal sealed class StepLauncher(LocalExecutorOptions options, TaskRunRequest request, PreparedAttempt attempt, SecretMasker masker)
{
    private bool _firstLaunch = true;

    /// <summary>The launch of <paramref name="step"/>; <paramref name="mountPoints"/> collects the directories bubblewrap creates for it, to remove after it ends.</summary>
    public LaunchSpec Launch(Step step, string container, IReadOnlyList<string> command, bool useScript, List<string>? mountPoints = null)
    {
        var extra = new List<Bind>();
        foreach (var m in step.VolumeMounts)
        {
            var readOnly = m.ReadOnly;
            if (!attempt.Volumes.TryGetValue(m.Name, out var dir))
            {
                // "name: $(workspaces.w.volume)" mounts the workspace, as a pod's volume would.
                var ws = attempt.Workspaces.FirstOrDefault(w => w.HostDirectory is not null && w.Volume == m.Name)
                    ?? throw new AttemptFailure($"\"{container}\": volumeMount \"{m.Name}\" names no volume of the task");
                dir = ws.HostDirectory!;
                readOnly |= ws.ReadOnly;
            }

            if (!attempt.Layout)
            {
                throw new AttemptFailure($"\"{container}\": volumeMount at \"{m.MountPath}\" needs bubblewrap ({options.BubblewrapPath}), which is not usable here");
            }

            if (!string.IsNullOrEmpty(m.SubPath))
            {
                dir = ContainedPath.Resolve(dir, m.SubPath, $"\"{container}\": volumeMount \"{m.Name}\": subPath");
                Directory.CreateDirectory(dir);
            }

            extra.Add(new Bind(dir, m.MountPath, readOnly));
        }

        // As in Tekton, a step cannot write to another step's /tekton/steps directory (nor,
        // through the INDEX link, to its exitCode).
        if (attempt.Layout)
        {
            foreach (var other in ContainerNames.NamesOf(request.Spec.Steps).Select(ContainerNames.Step).Where(c => c != container))
            {
                var otherDir = Path.Combine(attempt.Dirs.Steps, other);
                if (Directory.Exists(otherDir))
                {
                    extra.Add(new Bind(otherDir, AttemptPaths.Tekton.StepFolder(other), true));
                }
            }
        }

        // Isolated workspaces: only the steps and sidecars that list one see it.
        foreach (var usage in step.Workspaces)
        {
            if (attempt.Workspaces.FirstOrDefault(w => w.Name == usage.Name) is { HostDirectory: { } dir } ws && attempt.Layout)
            {
                var mountPath = usage.MountPath ?? ws.MountPath;
                // Outside the sandbox a path under no bind is the host's own.
                if ((ViewFor([]).ToHost(mountPath) ?? (options.Sandbox ? null : mountPath)) is { } behind && !Path.Exists(behind))
                {
                    mountPoints?.Add(behind);
                }

                extra.Add(new Bind(dir, mountPath, ws.ReadOnly));
            }
        }

        // A container's home (HOME=/root in the step's env) is its image's, private and writable:
        // here a directory of the attempt per container, so that `git config --global` and the
        // like write there and never into the host's home.
        if (attempt.Layout && LayoutRule.OwnHome(step) is { } home && ViewFor(extra).ToHost(home) is null)
        {
            extra.Add(new Bind(PrivateHome(container), home, false));
        }

        var (file, args) = useScript
            ? StepCommand.Resolve(step, container, attempt.Dirs.Scripts, attempt.ScriptsView)
            : (command[0], command.Skip(1).ToList());

        var workingDir = string.IsNullOrEmpty(step.WorkingDir) ? attempt.WorkspaceView
            : step.WorkingDir.StartsWith('/') ? step.WorkingDir
            : attempt.WorkspaceView + "/" + step.WorkingDir;
        var view = ViewFor(extra);
        CreateWorkingDir(ref view, extra, workingDir, container);
        _firstLaunch = false;

        var env = StepEnvironment.Build(request, step, container, attempt.HomeView, masker);
        // A script run by its own #! line: its interpreter is checked before the start, in and out of bubblewrap.
        // (Not one StepCommand hands to bash, such as #!/bin/ash: the host may have no ash at all.)
        var script = useScript && step.Script?.StartsWith("#!", StringComparison.Ordinal) == true && file != "bash" ? Path.Combine(attempt.Dirs.Scripts, container) : null;
        if (!attempt.Layout)
        {
            if (LayoutRule.OwnHome(step) is not null)
            {
                // The layout was wanted for this home but bubblewrap cannot run here: the step's
                // HOME names the image's home (/root, say), which on the host is the host's. It
                // gets the same private directory as under bubblewrap, as a host path.
                env["HOME"] = PrivateHome(container);
            }

            return new LaunchSpec(file, args, workingDir, env, DiesWithParentThread: false) { Script = script, EndsOnEventThread = options.EndStepsOnEventThread };
        }

        var network = request.Labels.TryGetValue(MothershipLabels.Network, out var net) && net == "true";
        var writable = new[] { attempt.Dirs.Attempt }.Concat(attempt.Workspaces.Where(w => w.HostDirectory is not null && !w.ReadOnly).Select(w => w.HostDirectory!));
        var bwrapArgs = Bubblewrap.Arguments(options.Sandbox, network, writable, view.Binds, workingDir);
        mountPoints?.AddRange(Bubblewrap.HostMountPoints(options.Sandbox, writable, view.Binds));
        bwrapArgs.Add(file);
        bwrapArgs.AddRange(args);
        return new LaunchSpec(options.BubblewrapPath, bwrapArgs, attempt.Dirs.Attempt, env) { Script = script, EndsOnEventThread = options.EndStepsOnEventThread };
    }

    /// <summary>The container's own home in the attempt (created): what a step that sets HOME to an absolute path writes into.</summary>
    private string PrivateHome(string container)
    {
        var home = Path.Combine(attempt.Dirs.Attempt, "homes", container);
        Directory.CreateDirectory(home);
        return home;
    }

    /// <summary>The file a step's <c>stdoutConfig</c>/<c>stderrConfig</c> names, opened for writing; null without one.</summary>
    public StreamWriter? OpenOutput(OutputConfig? config, string container)
    {
        if (config is null || string.IsNullOrEmpty(config.Path))
        {
            return null;
        }

        var path = config.Path.StartsWith('/') ? config.Path : attempt.WorkspaceView + "/" + config.Path;
        var host = ViewFor([]).ToHost(path)
            ?? throw new AttemptFailure($"\"{container}\": output path \"{config.Path}\" is not under a workspace, volume or /tekton directory");
        Directory.CreateDirectory(Path.GetDirectoryName(host)!);
        return new StreamWriter(host, append: false, new UTF8Encoding(false));
    }

    /// <summary>
    /// Removes the directories bubblewrap created on the host as mount points (of isolated
    /// workspaces, so that a later step without the workspace does not find <c>/workspace/NAME</c>;
    /// of paths the host lacked, <see cref="Bubblewrap.HostMountPoints"/>) while they hold nothing
    /// but empty directories.
    /// </summary>
    public static void RemoveMountPoints(List<string> mountPoints)
    {
        foreach (var dir in mountPoints)
        {
            try
            {
                if (Directory.Exists(dir) && OnlyEmptyDirectories(dir))
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Something else uses the directory now; an empty directory left behind is harmless.
            }
        }
    }

    private static bool OnlyEmptyDirectories(string dir) =>
        new DirectoryInfo(dir).LinkTarget is null &&
        Directory.EnumerateFileSystemEntries(dir).All(e => Directory.Exists(e) && OnlyEmptyDirectories(e));

    /// <summary>The binds every step of this attempt gets, plus the step's own mounts.</summary>
    private PathView ViewFor(IEnumerable<Bind> extra)
    {
        if (!attempt.Layout)
        {
            return new PathView([], layout: false);
        }

        var tekton = AttemptPaths.Tekton;
        var dirs = attempt.Dirs;
        var binds = new List<Bind>
        {
            new(dirs.Workspace, "/workspace", false),
            new(dirs.Results, tekton.Results, false),
            new(dirs.Home, "/tekton/home", false),
            new(dirs.Steps, tekton.Steps, false),
            new(dirs.Scripts, "/tekton/scripts", true),
            new(dirs.Creds, tekton.Credentials, false),
        };
        binds.AddRange(attempt.Workspaces.Where(w => w.HostDirectory is not null && !attempt.Isolated.Contains(w.Name)).Select(w => new Bind(w.HostDirectory!, w.MountPath, w.ReadOnly)));
        binds.AddRange(extra);
        return new PathView(binds, layout: true);
    }

    /// <summary>
    /// Tekton's init creates a missing <c>workingDir</c>. Under a bind, the host directory behind
    /// it is created; elsewhere in the layout, a directory of the attempt is bound there (an
    /// existing host directory is used as is); without the layout, the host directory is created.
    /// </summary>
    private void CreateWorkingDir(ref PathView view, List<Bind> extra, string workingDir, string container)
    {
        try
        {
            if (!attempt.Layout)
            {
                // The attempt's workspace was made just before its first launch; a later step
                // finds it again even if an earlier one removed it.
                if (!(_firstLaunch && workingDir == attempt.Dirs.Workspace))
                {
                    Directory.CreateDirectory(workingDir);
                }
            }
            else if (IsUnderBind(view, workingDir))
            {
                Directory.CreateDirectory(view.ToHost(workingDir)!);
            }
            else if (!Directory.Exists(workingDir))
            {
                var dir = Path.Join(attempt.Dirs.Attempt, "workingdirs", workingDir);
                Directory.CreateDirectory(dir);
                extra.Add(new Bind(dir, workingDir, false));
                view = ViewFor(extra);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AttemptFailure($"\"{container}\": cannot create workingDir \"{workingDir}\": {e.Message}");
        }
    }

    private static bool IsUnderBind(PathView view, string path) =>
        view.Binds.Any(b => path == b.ContainerPath || path.StartsWith(b.ContainerPath.TrimEnd('/') + "/", StringComparison.Ordinal));
}
