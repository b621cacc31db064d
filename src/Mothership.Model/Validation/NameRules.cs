using System.Collections.Immutable;
using Mothership.Model.Diagnostics;
using Mothership.Model.Limits;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;

namespace Mothership.Model.Validation;

/// <summary>Rules shared by several resources: names (unique, and of the form Kubernetes and Tekton accept), param types, required params, durations.</summary>
internal static class NameRules
{
    private const string LabelRule = "at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit";

    /// <summary>
    /// Checks an object's <c>metadata</c>: its name (or <c>generateName</c>) and namespace, as the
    /// Kubernetes API server and Tekton's webhook would (<see cref="KubernetesNames"/>).
    /// </summary>
    public static void Metadata(Resource resource, DiagnosticBag bag)
    {
        var meta = resource.Metadata;
        if (meta.Name is { } name)
        {
            if (KubernetesNames.NameProblem(resource.Kind, name) is { } problem)
            {
                bag.Error(meta.At("name"), problem);
            }
        }
        else if (meta.GenerateName is { } prefix && KubernetesNames.GenerateNameProblem(resource.Kind, prefix) is { } problem)
        {
            bag.Error(meta.At("generateName"), problem);
        }

        if (meta.Namespace is { } ns && !KubernetesNames.IsDns1123Label(ns))
        {
            bag.Error(meta.At("namespace"), $"namespace {KubernetesNames.Quote(ns)} is invalid: use {LabelRule}");
        }
    }

    /// <summary>
    /// Two definitions of one kind and name (in one file or two): a lookup by name would take the
    /// first and silently drop the other, and <c>kubectl create</c> refuses the second as
    /// "already exists". Reported at the second, naming the first.
    /// </summary>
    public static void Duplicates(ResourceSet resources, DiagnosticBag bag)
    {
        var seen = new Dictionary<(string Kind, string? Namespace, string Name), Resource>();
        foreach (var resource in resources.All)
        {
            if (resource is not (TektonTask or Pipeline or StepAction or DataObject or ServiceAccount) || resource.Metadata.Name is not { } name)
            {
                continue;
            }

            var key = (resource.Kind, resource.Metadata.Namespace, name);
            if (!seen.TryAdd(key, resource))
            {
                var first = seen[key];
                bag.Error(resource.Metadata.At("name"), $"duplicate {resource.Kind} {KubernetesNames.Quote(name)}: also defined at {first.Metadata.At("name")}; rename or remove one");
            }
        }
    }

    /// <summary>A pipeline task's name: a DNS-1123 label (Tekton's <c>PipelineTask.ValidateName</c>).</summary>
    public static void PipelineTaskName(PipelineTask task, DiagnosticBag bag)
    {
        // An empty name is reported by the loader as a missing field.
        if (task.Name.Length > 0 && !KubernetesNames.IsDns1123Label(task.Name))
        {
            bag.Error(task.At("name"), $"pipeline task name {KubernetesNames.Quote(task.Name)} is invalid: use {LabelRule}");
        }
    }

    /// <summary>
    /// A step's or sidecar's name, when it has one: a DNS-1123 label (Tekton checks steps; a
    /// sidecar becomes a container, whose name Kubernetes checks the same way).
    /// </summary>
    public static void ContainerName(Step step, string what, DiagnosticBag bag)
    {
        if (step.Name.Length > 0 && !KubernetesNames.IsDns1123Label(step.Name))
        {
            bag.Error(step.At("name"), $"{what} name {KubernetesNames.Quote(step.Name)} is invalid: use {LabelRule}");
        }
    }

    /// <summary>
    /// Declared params of a Task or StepAction, as Tekton's <c>ValidateNameFormat</c>: a string or
    /// array param starts with a letter or '_' and goes on with letters, digits, '_', '-' and '.';
    /// an object param and its keys the same without '.' (a dot would read as a key).
    /// </summary>
    public static void ParamNames(ImmutableArray<ParamSpec> declared, DiagnosticBag bag)
    {
        foreach (var p in declared)
        {
            var isObject = ReferenceScope.EffectiveType(p) == ParamType.Object;
            if (p.Name.Length > 0 && !IsParamName(p.Name, allowDots: !isObject))
            {
                bag.Error(p.At("name"), isObject
                    ? $"object param name {KubernetesNames.Quote(p.Name)} is invalid: start with a letter or '_', then letters, digits, '_' and '-'"
                    : $"param name {KubernetesNames.Quote(p.Name)} is invalid: start with a letter or '_', then letters, digits, '_', '-' and '.'");
            }

            foreach (var key in isObject ? p.Properties : [])
            {
                if (!IsParamName(key, allowDots: false))
                {
                    bag.Error(p.At("properties"), $"key {KubernetesNames.Quote(key)} of object param '{p.Name}' is invalid: start with a letter or '_', then letters, digits, '_' and '-'");
                }
            }
        }
    }

    /// <summary>
    /// Result names of a Task, a step or a StepAction, as Tekton's <c>ResultNameFormat</c>: letters,
    /// digits, '-', '_' and '.', starting and ending with a letter or digit (a result is a file).
    /// </summary>
    public static void ResultNames(ImmutableArray<ResultSpec> results, DiagnosticBag bag)
    {
        foreach (var r in results)
        {
            if (r.Name.Length > 0 && !IsResultName(r.Name))
            {
                bag.Error(r.At("name"), $"result name {KubernetesNames.Quote(r.Name)} is invalid: use letters, digits, '-', '_' and '.', starting and ending with a letter or digit");
            }
        }
    }

    /// <summary>
    /// Workspace names. Tekton asks only that they be there and unique; Mothership also makes a
    /// directory of each (<c>/workspace/NAME</c>), so a name may not be a path: no '/', not '.' or
    /// '..', no control characters.
    /// </summary>
    public static void WorkspaceNames<T>(ImmutableArray<T> workspaces, Func<T, string> name, DiagnosticBag bag)
        where T : Located
    {
        foreach (var w in workspaces)
        {
            var n = name(w);
            if (n.Length > 0 && (n is "." or ".." || n.Contains('/', StringComparison.Ordinal) || n.Any(KubernetesNames.NeedsEscape)))
            {
                bag.Error(w.At("name"), $"workspace name {KubernetesNames.Quote(n)} is invalid: it names a directory, so use no '/' or control characters, and not '.' or '..'");
            }
        }
    }

    private static bool IsParamName(string name, bool allowDots)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' || (allowDots && c == '.')))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsResultName(string name)
    {
        if (name.Length == 0 || !char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }


    /// <summary>Reports every item whose name was already used by an earlier item of the list.</summary>
    /// <remarks>
    /// The lists are taken as they are stored, not as <see cref="IEnumerable{T}"/>: boxing each
    /// list and its enumerator was a good share of what validating a large pipeline allocated.
    /// </remarks>
    public static void Unique<T>(ImmutableArray<T> items, Func<T, string> name, string what, DiagnosticBag bag)
        where T : Located
    {
        // Most lists hold zero or one item: no duplicate possible, no dictionary needed.
        if (items.IsDefault || items.Length < 2)
        {
            return;
        }

        var first = new Dictionary<string, SourceLocation>(items.Length, StringComparer.Ordinal);
        foreach (var item in items)
        {
            var n = name(item);
            if (n.Length == 0)
            {
                continue;
            }

            var at = item.At("name");
            if (!first.TryAdd(n, at))
            {
                bag.Error(at, $"duplicate {what} name '{n}' (first at line {first[n].Line}): rename one of them");
            }
        }
    }

    /// <summary>
    /// Checks passed params against declared ones: literal values must have the declared type, and
    /// params without a default must be passed.
    /// </summary>
    public static void CheckParams(
        ImmutableArray<ParamSpec> declared,
        ImmutableArray<Param> passed,
        IReadOnlyCollection<string> alsoPassed,
        string target,
        SourceLocation missingAt,
        DiagnosticBag bag)
    {
        if (declared.IsDefaultOrEmpty)
        {
            return;
        }

        var byName = declared.GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var p in passed)
        {
            // An untyped param is a string (Tekton's defaulting), so it is checked too.
            if (!byName.TryGetValue(p.Name, out var spec))
            {
                continue;
            }

            var want = ReferenceScope.EffectiveType(spec);
            if (ReferenceScope.TypeOfValue(p.Value) is { } got && got != want)
            {
                bag.Error(p.At("value"), $"param '{p.Name}' of {target} is {Describe(want)}, but the value given is {Describe(got)}: pass {Describe(want)}");
            }
        }

        var given = passed.Select(p => p.Name).Concat(alsoPassed).ToHashSet(StringComparer.Ordinal);
        foreach (var spec in byName.Values)
        {
            if (spec.Default is null && !given.Contains(spec.Name))
            {
                bag.Error(missingAt, $"required param '{spec.Name}' of {target} is not passed: pass a value or give the param a default");
            }
        }
    }

    public static string Describe(ParamType type) => type switch
    {
        ParamType.String => "a string",
        ParamType.Array => "an array",
        _ => "an object",
    };

    /// <summary>A timeout must be a non-negative Go duration (unless it is filled in by a variable).</summary>
    /// <summary>
    /// Reports a run or pipeline task that has neither or both of <c>KINDRef</c> and
    /// <c>KINDSpec</c>; returns whether exactly one is there.
    /// </summary>
    public static bool RefOrSpec(object? reference, object? spec, string kind, string label, SourceLocation at, DiagnosticBag bag)
    {
        if (reference is null != spec is null)
        {
            return true;
        }

        bag.Error(at, reference is null
            ? $"{label} has neither {kind}Ref nor {kind}Spec: add one of them"
            : $"{label} has both {kind}Ref and {kind}Spec: keep only one");
        return false;
    }

    public static void Timeout(string? value, SourceLocation at, DiagnosticBag bag)
    {
        if (value is null || value.Contains("$(", StringComparison.Ordinal))
        {
            return;
        }

        if (!GoDuration.TryParse(value, out var d))
        {
            bag.Error(at, $"invalid timeout '{value}': use a Go duration such as 1h30m, 10m or 45s");
        }
        else if (d < TimeSpan.Zero)
        {
            bag.Error(at, $"timeout '{value}' is negative: use 0 for no timeout or a positive duration");
        }
        else if (d > InputLimits.MaxTimeout)
        {
            bag.Error(at, $"timeout '{value}' is longer than {GoDuration.Format(InputLimits.MaxTimeout)}, the longest Mothership can wait: use at most that, or 0 for no timeout");
        }
    }

    /// <summary>Checks an onError value (variables are resolved at run time).</summary>
    public static void OnError(string? value, SourceLocation at, DiagnosticBag bag)
    {
        if (value is null or "continue" or "stopAndFail" || value.Contains("$(", StringComparison.Ordinal))
        {
            return;
        }

        bag.Error(at, $"invalid onError '{value}': use continue or stopAndFail");
    }

    /// <summary>The strings inside a list of params, each with its owner and field.</summary>
    public static IEnumerable<(string Text, Located Owner, string Field)> Strings(IEnumerable<Param> ps) =>
        ps.SelectMany(p => TaskSpecRewriter.ValueStrings(p.Value).Select(s => (s, (Located)p, "value")));
}
