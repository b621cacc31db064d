using System.Collections.Immutable;
using System.Text;
using Mothership.Engine.Execution;
using Mothership.Engine.Resolution;
using Mothership.Model.Secrets;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;

namespace Mothership.Engine.Scheduling;

/// <summary>
/// How a pipeline task becomes TaskRuns: their names and uids, and the executor's request of each
/// attempt (the task resolved, params substituted, workspaces mapped from the run's, the pod
/// template merged, the timeout computed). Pure.
/// </summary>
public static class PipelineTaskRuns
{
    /// <summary>Tekton names a pipeline task's TaskRun <c>RUN-TASK</c>, shortened with a hash past 63 characters.</summary>
    public static string Name(string run, string task)
    {
        var name = $"{run}-{task}";
        if (name.Length <= 63)
        {
            return name;
        }

        var hash = Convert.ToHexStringLower(Digest(new MD5Digest(), name))[..32];
        return $"{name[..(63 - 33)]}-{hash}"[..63];
    }

    /// <summary>A TaskRun's uid, the same at every replay of its run.</summary>
    public static string Uid(string parent, string name)
    {
        return new Guid(Digest(new Sha256Digest(), parent + "/" + name).AsSpan(0, 16)).ToString();
    }

    /// <summary>The digest of <paramref name="text"/>'s UTF-8 bytes, computed in managed code (no OpenSSL to load for a few short strings).</summary>
    private static byte[] Digest(IDigest digest, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        digest.BlockUpdate(bytes, 0, bytes.Length);
        var result = new byte[digest.GetDigestSize()];
        digest.DoFinal(result, 0);
        return result;
    }

    /// <summary>The request of attempt <paramref name="retryCount"/> of <paramref name="child"/>: its task resolved, params and workspaces mapped, timeout computed.</summary>
    internal static TaskRunRequest Request(PipelineRunState s, PipelineTaskState t, ChildRun child, int retryCount, DateTimeOffset now, DecisionScopes scopes)
    {
        var task = t.Task;
        var retries = task.Retries.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var scope = scopes.For(task).Set("context.pipelineTask.retries", retries);
        TaskSpec spec;
        string? taskName = null;
        var embedded = task.TaskSpec is not null;
        if (task.TaskSpec is { } inline)
        {
            // Embedded specs see the pipeline's results and context directly (propagation, TEP-0107).
            spec = TaskSpecRewriter.Apply(inline, scopes.For(task, includeParams: false).Set("context.pipelineTask.retries", retries));
        }
        else if (task.TaskRef?.Name is { } refName && s.Resources.FindTask(refName) is { } found)
        {
            spec = found.Spec;
            taskName = refName;
        }
        else
        {
            throw new TaskResolutionException($"pipeline task '{task.Name}' references Task '{task.TaskRef?.Name}', which is not defined in the files given");
        }

        var parameters = task.Params.Select(p => p with { Value = scope.ApplyValue(p.Value) })
            .Where(p => child.MatrixParams.All(m => m.Name != p.Name))
            .Concat(child.MatrixParams)
            .ToImmutableArray();
        var (workspaces, declarations) = MapWorkspaces(s, task with
        {
            Workspaces = [.. task.Workspaces.Select(w => w with { SubPath = w.SubPath is null ? null : scope.Apply(w.SubPath) })],
        }, spec, embedded, scope);
        spec = spec with { Workspaces = [.. spec.Workspaces, .. declarations] };
        return TaskRunBuilder.Build(new TaskRunInput
        {
            TaskRunName = child.TaskRunName,
            TaskRunUid = child.Uid,
            TaskName = taskName,
            Spec = spec,
            Embedded = embedded,
            Params = parameters,
            Propagated = s.Params,
            Workspaces = workspaces,
            PodTemplate = PodTemplate.Merge(s.Run.Spec.PodTemplate, s.Run.Spec.TaskRunSpecs.FirstOrDefault(r => r.PipelineTaskName == task.Name)?.PodTemplate),
            PipelineRunName = s.Name,
            PipelineRunUid = s.Uid,
            PipelineName = s.Run.Spec.PipelineRef?.Name ?? s.Name,
            PipelineTaskName = task.Name,
            Namespace = s.Run.Metadata.Namespace ?? "default",
            Retries = task.Retries,
            RetryCount = retryCount,
            Timeout = Timeouts.ForAttempt(s, t, now),
            ServiceAccountName = s.Run.Spec.TaskRunSpecs.FirstOrDefault(r => r.PipelineTaskName == task.Name)?.ServiceAccountName
                ?? s.Run.Spec.ServiceAccountName,
            Annotations = s.Run.Metadata.Annotations,
            SecretValues = [.. SecretNames.Values(s.Params, SecretNames.Plain(s.Run.Metadata.Annotations))],
            Labels = s.Run.Metadata.Labels
                .SetItem(TektonLabels.Pipeline, s.Run.Spec.PipelineRef?.Name ?? s.Name)
                .SetItem(TektonLabels.PipelineRun, s.Name)
                .SetItem(TektonLabels.PipelineTask, task.Name),
        }, s.Resources);
    }

    private static (ImmutableArray<WorkspaceBinding> Bindings, ImmutableArray<WorkspaceDeclaration> Declarations) MapWorkspaces(
        PipelineRunState s, PipelineTask task, TaskSpec spec, bool embedded, IVariableRewriter scope)
    {
        var bindings = ImmutableArray.CreateBuilder<WorkspaceBinding>();
        var declarations = ImmutableArray.CreateBuilder<WorkspaceDeclaration>();
        foreach (var b in task.Workspaces)
        {
            var runBinding = s.Run.Spec.Workspaces.FirstOrDefault(r => r.Name == (b.Workspace ?? b.Name));
            if (runBinding is null)
            {
                continue;
            }

            bindings.Add(ToTaskBinding(TaskSpecRewriter.ApplyBinding(runBinding, scope), b.Name, b.SubPath));
            if (embedded && spec.Workspaces.All(w => w.Name != b.Name))
            {
                declarations.Add(new WorkspaceDeclaration { Name = b.Name });
            }
        }

        if (embedded && !s.Run.Spec.Workspaces.IsDefaultOrEmpty)
        {
            // Propagated workspaces: an embedded spec may use a pipeline workspace it never declared.
            var text = string.Join('\n', TaskSpecRewriter.Strings(spec).Select(x => x.Text));
            foreach (var runBinding in s.Run.Spec.Workspaces)
            {
                if (bindings.Any(b => b.Name == runBinding.Name) || spec.Workspaces.Any(w => w.Name == runBinding.Name) ||
                    !text.Contains($"workspaces.{runBinding.Name}.", StringComparison.Ordinal))
                {
                    continue;
                }

                bindings.Add(ToTaskBinding(TaskSpecRewriter.ApplyBinding(runBinding, scope), runBinding.Name, null));
                declarations.Add(new WorkspaceDeclaration { Name = runBinding.Name });
            }
        }

        return (bindings.ToImmutable(), declarations.ToImmutable());
    }

    private static WorkspaceBinding ToTaskBinding(WorkspaceBinding run, string taskWorkspace, string? subPath)
    {
        var combined = (run.SubPath, subPath) switch
        {
            (null or "", null or "") => null,
            (null or "", _) => subPath,
            (_, null or "") => run.SubPath,
            _ => $"{run.SubPath}/{subPath}",
        };
        var source = run.Source.VolumeClaimTemplate ? run.Source with { ClaimName = run.Name } : run.Source;
        return new WorkspaceBinding { Name = taskWorkspace, SubPath = combined, Source = source, Location = run.Location };
    }
}
