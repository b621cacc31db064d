using Mothership.Model.Diagnostics;
using Mothership.Model.Limits;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;

namespace Mothership.Model.Validation;

/// <summary>Rules shared by several resources: unique names, param types, required params, durations.</summary>
internal static class NameRules
{
    /// <summary>Reports every item whose name was already used by an earlier item of the list.</summary>
    public static void Unique<T>(IEnumerable<T> items, Func<T, string> name, string what, DiagnosticBag bag)
        where T : Located
    {
        // Most lists hold zero or one item: no duplicate possible, no dictionary needed.
        if (items is IReadOnlyCollection<T> { Count: < 2 })
        {
            return;
        }

        var first = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
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
        IReadOnlyList<ParamSpec> declared,
        IReadOnlyList<Param> passed,
        IReadOnlyCollection<string> alsoPassed,
        string target,
        SourceLocation missingAt,
        DiagnosticBag bag)
    {
        if (declared.Count == 0)
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
