using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Resolution;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;

namespace Mothership.Engine.Resolution.Remote;

/// <summary>
/// What <see cref="RemoteInliner.Inline"/> made of a run: the run with every remote ref it could
/// resolve inlined, the StepActions that inlining added, and the requests it still needs fetched.
/// </summary>
public sealed record InlineResult(Resource Run, ImmutableArray<Resource> Added, ImmutableArray<ResolutionRequest> Missing);

/// <summary>
/// The pure half of remote resolution: walks a run (its Pipeline, the Pipeline's tasks, their
/// steps) and replaces each remote ref by what was fetched for it. A resolved Task or Pipeline
/// becomes the embedded <c>taskSpec</c>/<c>pipelineSpec</c> of the ref, so two refs that resolve
/// to different Tasks of one name never collide; a resolved StepAction is added under its name
/// and a digest of its text. A <c>cluster</c> ref becomes a ref by name to the resources in scope
/// (the files, or the server's store). Ref params are substituted with the run's params first,
/// as Tekton does. Fetching is the caller's (<see cref="RemoteResolution"/>): what is not yet in
/// <c>resolved</c> comes back in <see cref="InlineResult.Missing"/>.
/// </summary>
public static class RemoteInliner
{
    /// <summary>
    /// Inlines what <paramref name="resolved"/> holds into <paramref name="run"/>;
    /// <paramref name="overrides"/> are params given at start, which win over the run's.
    /// </summary>
    public static InlineResult Inline(Resource run, ResourceSet resources, IReadOnlyDictionary<string, ResolvedDocument> resolved,
        ImmutableArray<Param> overrides, DiagnosticBag bag)
    {
        ArgumentNullException.ThrowIfNull(run);
        var walker = new Walker(resources, resolved, bag);
        var result = run switch
        {
            PipelineRun pr => walker.OfPipelineRun(pr, Override(pr.Spec.Params, overrides)),
            TaskRun tr => walker.OfTaskRun(tr, Override(tr.Spec.Params, overrides)),
            _ => run,
        };
        return new InlineResult(result, [.. walker.Added.Values], [.. walker.Missing.Values]);
    }

    /// <summary>Whether <paramref name="run"/> (or what it references in <paramref name="resources"/>) has a remote ref.</summary>
    public static bool HasRemoteRefs(Resource run, ResourceSet resources)
    {
        var probe = Inline(run, resources, ImmutableDictionary<string, ResolvedDocument>.Empty, [], new DiagnosticBag());
        return probe.Missing.Length > 0 || !ReferenceEquals(probe.Run, run);
    }

    private static ImmutableArray<Param> Override(ImmutableArray<Param> given, ImmutableArray<Param> overrides) =>
        overrides.IsDefaultOrEmpty ? given : [.. given.Where(g => overrides.All(o => o.Name != g.Name)), .. overrides];

    private sealed class Walker(ResourceSet resources, IReadOnlyDictionary<string, ResolvedDocument> resolved, DiagnosticBag bag)
    {
        private readonly Dictionary<string, Resource?> _loaded = new(StringComparer.Ordinal);

        public Dictionary<string, ResolutionRequest> Missing { get; } = new(StringComparer.Ordinal);

        public SortedDictionary<string, Resource> Added { get; } = new(StringComparer.Ordinal);

        public PipelineRun OfPipelineRun(PipelineRun run, ImmutableArray<Param> parameters)
        {
            var scope = Scope(parameters, []);
            var spec = run.Spec.PipelineSpec;
            var embed = false;
            if (run.Spec.PipelineRef is { Resolver: ResolverParams.Cluster } cluster)
            {
                var named = ByName(cluster, "Pipeline", scope);
                run = run with { Spec = run.Spec with { PipelineRef = named } };
                spec = named.Name is { } n ? resources.FindPipeline(n)?.Spec : null;
            }
            else if (run.Spec.PipelineRef is { Resolver: not null } remote)
            {
                spec = (Fetch(remote, "Pipeline", scope, $"PipelineRun '{run.DisplayName}'") as Pipeline)?.Spec;
                embed = true;
            }
            else if (run.Spec.PipelineRef?.Name is { } name)
            {
                spec = resources.FindPipeline(name)?.Spec;
            }

            if (spec is null)
            {
                return run;
            }

            var (inlined, changed) = OfPipeline(spec, Scope(parameters, spec.Params));
            return embed || changed ? run with { Spec = run.Spec with { PipelineRef = null, PipelineSpec = inlined } } : run;
        }

        public TaskRun OfTaskRun(TaskRun run, ImmutableArray<Param> parameters)
        {
            var scope = Scope(parameters, []);
            var (spec, embed, reference) = OfTaskRef(run.Spec.TaskRef, run.Spec.TaskSpec, scope, $"TaskRun '{run.DisplayName}'");
            run = ReferenceEquals(reference, run.Spec.TaskRef) ? run : run with { Spec = run.Spec with { TaskRef = reference } };
            if (spec is null)
            {
                return run;
            }

            var (steps, changed) = OfSteps(spec, Scope(parameters, spec.Params));
            return embed || changed ? run with { Spec = run.Spec with { TaskRef = null, TaskSpec = spec with { Steps = steps } } } : run;
        }

        private (PipelineSpec Spec, bool Changed) OfPipeline(PipelineSpec spec, VariableScope scope)
        {
            var changed = false;
            ImmutableArray<PipelineTask> Tasks(ImmutableArray<PipelineTask> tasks) => [.. tasks.Select(t =>
            {
                var next = OfPipelineTask(t, scope);
                changed |= !ReferenceEquals(next, t);
                return next;
            })];

            var inlined = spec with { Tasks = Tasks(spec.Tasks), Finally = Tasks(spec.Finally) };
            return (changed ? inlined : spec, changed);
        }

        private PipelineTask OfPipelineTask(PipelineTask task, VariableScope pipelineScope)
        {
            var (spec, embed, reference) = OfTaskRef(task.TaskRef, task.TaskSpec, pipelineScope, $"pipeline task '{task.Name}'");
            var result = ReferenceEquals(reference, task.TaskRef) ? task : task with { TaskRef = reference };
            if (spec is null)
            {
                return result;
            }

            // The task's params as this pipeline task passes them, for its steps' refs.
            var passed = task.Params.Select(p => p with { Value = pipelineScope.ApplyValue(p.Value) }).ToImmutableArray();
            var (steps, changed) = OfSteps(spec, Scope(passed, spec.Params));
            return embed || changed ? result with { TaskRef = null, TaskSpec = spec with { Steps = steps } } : result;
        }

        /// <summary>The task a ref runs (embedded, remote or by name), whether it must be embedded, and the ref as it stays.</summary>
        private (TaskSpec? Spec, bool Embed, ResourceRef? Ref) OfTaskRef(ResourceRef? reference, TaskSpec? embedded, VariableScope scope, string label)
        {
            if (embedded is not null)
            {
                return (embedded, false, reference);
            }

            if (reference is { Resolver: ResolverParams.Cluster })
            {
                var named = ByName(reference, "Task", scope);
                return (named.Name is { } n ? resources.FindTask(n)?.Spec : null, false, named);
            }

            if (reference is { Resolver: not null })
            {
                return ((Fetch(reference, "Task", scope, label) as TektonTask)?.Spec, true, reference);
            }

            return (reference?.Name is { } name ? resources.FindTask(name)?.Spec : null, false, reference);
        }

        private (ImmutableArray<Step> Steps, bool Changed) OfSteps(TaskSpec spec, VariableScope scope)
        {
            var changed = false;
            var steps = spec.Steps.Select(step =>
            {
                if (step.RemoteRef is not { } remote)
                {
                    return step;
                }

                if (remote.Resolver == ResolverParams.Cluster)
                {
                    changed = true;
                    return step with { Ref = ByName(remote, "StepAction", scope).Name, RemoteRef = null };
                }

                if (Fetch(remote, "StepAction", scope, $"step '{step.Name}'", out var digest) is not StepAction action)
                {
                    return step;
                }

                var name = $"{action.Metadata.Name}-{digest[..10]}";
                Added[name] = action with { Metadata = action.Metadata with { Name = name } };
                changed = true;
                return step with { Ref = name, RemoteRef = null };
            }).ToImmutableArray();
            return (changed ? steps : spec.Steps, changed);
        }

        /// <summary>A <c>cluster</c> ref as the ref by name it stands for; its <c>kind</c> must be the one expected.</summary>
        private ResourceRef ByName(ResourceRef reference, string kind, VariableScope scope)
        {
            var request = Request(reference, kind, scope, $"{kind} ref");
            if (request?.Param("kind") is { } given && !string.Equals(given, kind, StringComparison.OrdinalIgnoreCase))
            {
                bag.Error(reference.At("params"), $"{request}: kind '{given}' where a {kind} is expected");
            }

            // Mothership has one namespace: the files given (mship run) or the server's store, so 'namespace' picks nothing.
            return reference with { Resolver = null, Params = [], Name = request?.Param("name") ?? reference.Name, Kind = kind == "StepAction" ? null : reference.Kind };
        }

        private Resource? Fetch(ResourceRef reference, string kind, VariableScope scope, string label) => Fetch(reference, kind, scope, label, out _);

        private Resource? Fetch(ResourceRef reference, string kind, VariableScope scope, string label, out string digest)
        {
            digest = "";
            if (Request(reference, kind, scope, label) is not { } request)
            {
                return null;
            }

            if (!resolved.TryGetValue(request.Key, out var document))
            {
                Missing.TryAdd(request.Key, request);
                return null;
            }

            digest = Digest(document.Text);
            if (!_loaded.TryGetValue(request.Key, out var resource))
            {
                resource = Load(document, request);
                _loaded[request.Key] = resource;
            }

            return resource;
        }

        /// <summary>
        /// The request a ref makes, its params substituted; null (with a diagnostic) when a param
        /// uses a variable the run does not give before it starts.
        /// </summary>
        private ResolutionRequest? Request(ResourceRef reference, string kind, VariableScope scope, string label)
        {
            var values = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            var ok = true;
            foreach (var p in reference.Params)
            {
                var value = scope.Apply(p.Value.StringValue);
                if (VariableScope.References(value).Any())
                {
                    if (label.Length > 0)
                    {
                        bag.Error(p.Location, $"{label}: {reference.Resolver} resolver param '{p.Name}' is '{value}', whose variables are not known before the run starts: use params of the run");
                    }

                    ok = false;
                }

                values[p.Name] = value;
            }

            return ok ? new ResolutionRequest { Resolver = reference.Resolver!, Kind = kind, Params = values.ToImmutable(), Location = reference.Location } : null;
        }

        /// <summary>The one resource of <paramref name="request"/>'s kind in the fetched text, validated like a file's; null (with diagnostics) otherwise.</summary>
        private Resource? Load(ResolvedDocument document, ResolutionRequest request)
        {
            var loading = new DiagnosticBag();
            var loaded = ResourceLoader.Load(document.Source, document.Text, loading);
            bag.AddRange(loading.Items);
            if (loading.HasErrors)
            {
                return null;
            }

            if (loaded.Count != 1 || loaded[0].Kind != request.Kind)
            {
                bag.Error(request.Location, $"{request}: {document.Source} holds {(loaded.Count == 1 ? $"a {loaded[0].Kind}" : $"{loaded.Count} resources")}; expected one {request.Kind}");
                return null;
            }

            // Validated beside the definitions in scope (its refs by name may point at them), its
            // own namesake left out; only its own problems are reported, the rest were already.
            var resource = loaded[0];
            var checking = new DiagnosticBag();
            var scope = resources.All.Where(r => r is TektonTask or Pipeline or StepAction or DataObject && !(r.Kind == resource.Kind && r.Metadata.Name == resource.Metadata.Name));
            ResourceValidator.Validate(new ResourceSet { All = [resource, .. scope] }, checking);
            var own = checking.Items.Where(d => d.Location.File == document.Source).ToList();
            bag.AddRange(own);
            return own.Any(d => d.Severity == Severity.Error) ? null : resource;
        }
    }

    /// <summary>The run's params over the declared defaults, for substituting into ref params.</summary>
    private static VariableScope Scope(ImmutableArray<Param> given, ImmutableArray<ParamSpec> declared)
    {
        var scope = new VariableScope();
        foreach (var d in declared)
        {
            if (d.Default is { } value)
            {
                TaskSpecResolver.AddParam(scope, d.Name, value);
            }
        }

        foreach (var p in given)
        {
            TaskSpecResolver.AddParam(scope, p.Name, p.Value);
        }

        return scope;
    }

    /// <summary>The hex SHA-256 of <paramref name="text"/>: content addresses for resolved documents.</summary>
    public static string Digest(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
