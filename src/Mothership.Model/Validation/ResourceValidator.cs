using Mothership.Model.Diagnostics;
using Mothership.Model.Limits;
using Mothership.Model.Resolution;
using Mothership.Model.Tekton;

namespace Mothership.Model.Validation;

/// <summary>
/// Checks loaded resources for everything that can be known before running: references,
/// names, types, variables and the DAG. Reports every problem, with file, line and column.
/// </summary>
public static class ResourceValidator
{
    /// <summary>
    /// Adds a diagnostic for each problem found in <paramref name="resources"/>, pipelines held
    /// to <paramref name="limits"/> (default <see cref="InputLimits.Default"/>).
    /// </summary>
    public static void Validate(ResourceSet resources, DiagnosticBag diagnostics, InputLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(diagnostics);
        limits ??= InputLimits.Default;

        foreach (var resource in resources.All)
        {
            NameRules.Metadata(resource, diagnostics);
            switch (resource)
            {
                case TektonTask task:
                    TaskValidator.Validate(task.Spec, $"Task '{task.DisplayName}'", resources, diagnostics);
                    break;
                case Pipeline pipeline:
                    PipelineValidator.Validate(pipeline.Spec, $"Pipeline '{pipeline.DisplayName}'", resources, diagnostics, limits);
                    break;
                case PipelineRun run:
                    ValidatePipelineRun(run, resources, diagnostics, limits);
                    break;
                case TaskRun run:
                    ValidateTaskRun(run, resources, diagnostics);
                    break;
                case StepAction action:
                    TaskValidator.ValidateStepAction(action, diagnostics);
                    break;
            }
        }

        NameRules.Duplicates(resources, diagnostics);
        WorkspacePathRules.Validate(resources, diagnostics);
        Loading.TektonDefaults.Validate(resources, diagnostics);
    }

    private static void ValidatePipelineRun(PipelineRun run, ResourceSet resources, DiagnosticBag bag, InputLimits limits)
    {
        var spec = run.Spec;
        var label = $"PipelineRun '{run.DisplayName}'";
        NameRules.Unique(spec.Params, p => p.Name, "param", bag);
        NameRules.Unique(spec.Workspaces, w => w.Name, "workspace", bag);
        NameRules.WorkspaceNames(spec.Workspaces, w => w.Name, bag);
        if (spec.Timeouts is { } t)
        {
            NameRules.Timeout(t.Pipeline, t.At("pipeline"), bag);
            NameRules.Timeout(t.Tasks, t.At("tasks"), bag);
            NameRules.Timeout(t.Finally, t.At("finally"), bag);
        }

        if (!NameRules.RefOrSpec(spec.PipelineRef, spec.PipelineSpec, "pipeline", label, spec.Location, bag))
        {
            return;
        }

        PipelineSpec? pipeline = null;
        string target;
        if (spec.PipelineSpec is { } embedded)
        {
            target = $"the pipelineSpec of {label}";
            PipelineValidator.Validate(embedded, target, resources, bag, limits,
                TaskValidator.PassedParams(spec.Params), spec.Workspaces.Select(w => w.Name));
            pipeline = embedded;
        }
        else
        {
            var r = spec.PipelineRef!;
            target = $"Pipeline '{r.Name}'";
            if (r.Resolver is not null)
            {
                ResolverParams.Check(r, label, bag);
                return;
            }

            if (string.IsNullOrEmpty(r.Name))
            {
                bag.Error(r.Location, $"{label}: pipelineRef has no name: name the Pipeline to run");
            }
            else if (resources.FindPipeline(r.Name) is { } found)
            {
                pipeline = found.Spec;
            }
            else
            {
                NotDefined(resources, bag, r.At("name"), label, "Pipeline", r.Name);
            }
        }

        if (pipeline is not null)
        {
            NameRules.CheckParams(pipeline.Params, spec.Params, [], target, ParamsAt(spec), bag);
            foreach (var taskRunSpec in spec.TaskRunSpecs)
            {
                var name = taskRunSpec.PipelineTaskName;
                if (name.Length > 0 && pipeline.Tasks.Concat(pipeline.Finally).All(t => t.Name != name))
                {
                    bag.Error(taskRunSpec.At("pipelineTaskName"), $"{label}: taskRunSpecs names pipeline task '{name}', which {target} does not have");
                }
            }
        }
    }

    private static void ValidateTaskRun(TaskRun run, ResourceSet resources, DiagnosticBag bag)
    {
        var spec = run.Spec;
        var label = $"TaskRun '{run.DisplayName}'";
        NameRules.Unique(spec.Params, p => p.Name, "param", bag);
        NameRules.Unique(spec.Workspaces, w => w.Name, "workspace", bag);
        NameRules.WorkspaceNames(spec.Workspaces, w => w.Name, bag);
        NameRules.Timeout(spec.Timeout, spec.At("timeout"), bag);
        if (spec.Retries < 0)
        {
            bag.Error(spec.At("retries"), $"{label} has retries {spec.Retries}: use 0 or more");
        }

        if (!NameRules.RefOrSpec(spec.TaskRef, spec.TaskSpec, "task", label, spec.Location, bag))
        {
            return;
        }

        if (spec.TaskSpec is { } embedded)
        {
            // Tekton propagates a TaskRun's params and workspaces into its embedded spec.
            var target = $"the taskSpec of {label}";
            var outer = new ReferenceScope
            {
                Params = TaskValidator.PassedParams(spec.Params),
                ParamsOwner = target,
                Workspaces = [.. spec.Workspaces.Select(w => w.Name)],
            };
            TaskValidator.Validate(embedded, target, resources, bag, outer);
            NameRules.CheckParams(embedded.Params, spec.Params, [], target, ParamsAt(spec), bag);
            return;
        }

        var r = spec.TaskRef!;
        PipelineValidator.CheckTaskRef(r, label, resources, bag);
        if (r is { Resolver: null, Name: { } name } && PipelineValidator.IsTaskKind(r.Kind) && resources.FindTask(name) is { } task)
        {
            NameRules.CheckParams(task.Spec.Params, spec.Params, [], $"Task '{name}'", ParamsAt(spec), bag);
        }
    }

    /// <summary>Missing params are reported at the run's params, or at its spec when it passes none.</summary>
    private static SourceLocation ParamsAt(Located spec) => spec.At("params");

    /// <summary>
    /// A reference by name to a Pipeline, Task or StepAction the files lack: an error, or a warning
    /// when <see cref="ResourceSet.DefinedElsewhere"/> says where it lives instead.
    /// </summary>
    internal static void NotDefined(ResourceSet resources, DiagnosticBag bag, SourceLocation at, string subject, string kind, string name)
    {
        if (resources.DefinedElsewhere is { } elsewhere)
        {
            bag.Warning(at, $"{subject} references {kind} '{name}', which is not in this file: it must exist in {elsewhere}");
        }
        else
        {
            bag.Error(at, $"{subject} references {kind} '{name}', which is not defined: define it in the same files or fix the name");
        }
    }
}
