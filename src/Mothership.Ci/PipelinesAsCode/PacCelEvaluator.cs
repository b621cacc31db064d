using System.Text.Json.Nodes;
using Cel;
using Mothership.Ci.Forge;

namespace Mothership.Ci.PipelinesAsCode;

/// <summary>The value of an <c>on-cel-expression</c>: whether it holds, or why it could not be evaluated.</summary>
public readonly record struct PacCelResult(bool Holds, string? Error);

/// <summary>
/// Evaluates PaC's <c>on-cel-expression</c> with the variables PaC documents: <c>event</c>,
/// <c>event_type</c>, <c>event_title</c>, <c>target_branch</c>, <c>source_branch</c>,
/// <c>target_url</c>, <c>source_url</c>, <c>body</c> (the payload), <c>headers</c> (those the
/// delivery kept: <c>x-github-event</c>, <c>x-github-delivery</c>), <c>files</c> (<c>all</c>,
/// <c>added</c>, <c>deleted</c>, <c>modified</c>, <c>renamed</c>) and the
/// <c>"glob".pathChanged()</c> function. The Repository CR's custom params do not exist here:
/// an expression that names one is an error that says so, not a guess.
/// </summary>
/// <remarks>
/// Not <see cref="Model.Expressions.CelCompiler"/>: Tekton's <c>when</c> guards have no variables
/// and no PaC function, so this environment is a second one, with <c>pathChanged</c> registered.
/// The library calls a function with its arguments only, so the changed files of the expression
/// being evaluated reach <c>pathChanged</c> through a thread-static set around the (synchronous)
/// evaluation.
/// </remarks>
public static class PacCelEvaluator
{
    private const int CacheLimit = 256;

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, CelProgramDelegate> Cache = new(StringComparer.Ordinal);
    private static readonly Lazy<CelEnvironment> Environment = new(Create);

    [ThreadStatic]
    private static IReadOnlyList<string>? _changedFiles;

    /// <summary>
    /// Evaluates <paramref name="expression"/> for <paramref name="pacEvent"/>;
    /// <paramref name="changedFiles"/> is called only when the expression mentions <c>files</c>
    /// or <c>pathChanged</c>.
    /// </summary>
    public static PacCelResult Evaluate(string expression, PacEvent pacEvent, Func<IReadOnlyList<ChangedFile>> changedFiles)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(pacEvent);
        ArgumentNullException.ThrowIfNull(changedFiles);
        if (string.IsNullOrWhiteSpace(expression))
        {
            return new PacCelResult(false, "the CEL expression is empty");
        }

        CelProgramDelegate program;
        lock (Gate)
        {
            if (!Cache.TryGetValue(expression, out program!))
            {
                try
                {
                    program = Environment.Value.Compile(expression);
                }
                catch (CelException e)
                {
                    return new PacCelResult(false, e.Message);
                }

                if (Cache.Count >= CacheLimit)
                {
                    Cache.Clear();
                }

                Cache[expression] = program;
            }
        }

        var files = expression.Contains("files", StringComparison.Ordinal) || expression.Contains("pathChanged", StringComparison.Ordinal)
            ? changedFiles() : [];
        var variables = Variables(expression, pacEvent, files);
        object? value;
        _changedFiles = [.. files.SelectMany(f => f.PreviousPath is { } previous ? new[] { f.Path, previous } : [f.Path])];
        try
        {
            value = program(variables);
        }
        catch (CelUndeclaredReferenceException e)
        {
            return new PacCelResult(false, e.Message + " (Mothership knows event, event_type, event_title, target_branch, source_branch, target_url, source_url, body, headers, files and pathChanged; the Repository CR's custom params do not exist here)");
        }
        catch (CelException e)
        {
            return new PacCelResult(false, e.Message);
        }
        catch (ArgumentException e)
        {
            // The standard library lets some .NET errors through, e.g. a bad regex in matches().
            return new PacCelResult(false, e.Message);
        }
        catch (InvalidCastException e)
        {
            return new PacCelResult(false, e.Message);
        }
        finally
        {
            _changedFiles = null;
        }

        return value is bool holds
            ? new PacCelResult(holds, null)
            : new PacCelResult(false, $"the CEL expression is not evaluated to a boolean but to {value ?? "null"}");
    }

    private static Dictionary<string, object?> Variables(string expression, PacEvent pacEvent, IReadOnlyList<ChangedFile> files)
    {
        // PaC gives a push's branches without refs/heads/ unless the expression compares with that prefix.
        var keepRef = pacEvent.Kind == PacEvent.PushEvent && expression.Contains("refs/heads/", StringComparison.Ordinal);
        string Branch(string branch) => keepRef ? branch : PacEvent.BranchName(branch);
        List<object?> Paths(Func<ChangedFile, bool> which) => [.. files.Where(which).Select(f => (object?)f.Path)];
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["event"] = pacEvent.Kind,
            ["event_type"] = pacEvent.EventType,
            ["event_title"] = pacEvent.Title,
            ["target_branch"] = Branch(pacEvent.TargetBranch),
            ["source_branch"] = Branch(pacEvent.SourceBranch),
            ["target_url"] = pacEvent.RepoUrl,
            ["source_url"] = pacEvent.SourceUrl,
            ["body"] = pacEvent.Body is { } body ? Value(body) : new Dictionary<string, object?>(),
            ["headers"] = pacEvent.Headers.ToDictionary(h => h.Key, h => (object?)h.Value, StringComparer.Ordinal),
            ["files"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["all"] = Paths(_ => true),
                ["added"] = Paths(f => f.Status == "added"),
                ["deleted"] = Paths(f => f.Status == "removed"),
                ["modified"] = Paths(f => f.Status is "modified" or "changed"),
                ["renamed"] = Paths(f => f.Status == "renamed"),
            },
        };
    }

    /// <summary>A JSON value as the CEL library's values: maps, lists, strings, bools, int64 or double.</summary>
    private static object? Value(JsonNode? node) => node switch
    {
        JsonObject o => o.ToDictionary(p => p.Key, p => Value(p.Value), StringComparer.Ordinal),
        JsonArray a => a.Select(Value).ToList(),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        _ => null,
    };

    private static CelEnvironment Create()
    {
        var environment = new CelEnvironment([], "");
        environment.RegisterFunction("pathChanged", [typeof(string)], args =>
            args is [string glob] && _changedFiles is { } files && files.Any(f => PacGlob.IsMatch(glob, f)));
        return environment;
    }
}
