using Cel;
using Mothership.Model.Expressions;

namespace Mothership.Engine.Scheduling;

/// <summary>The value of a CEL when expression: whether it holds, or why it could not be evaluated.</summary>
public readonly record struct CelWhenResult(bool Holds, string? Error);

/// <summary>
/// Evaluates a substituted <c>when: [{cel: …}]</c> guard as Tekton's <c>EvaluateCEL</c> does: the
/// expression must evaluate to a boolean; anything else, or an evaluation error, is an error that
/// fails the PipelineRun (CELEvaluationFailed).
/// </summary>
public static class CelWhenEvaluator
{
    /// <summary>Evaluates <paramref name="cel"/>, whose <c>$(…)</c> references are already substituted.</summary>
    public static CelWhenResult Evaluate(string cel)
    {
        if (!CelCompiler.TryCompile(cel, out var program, out var compileError))
        {
            return new CelWhenResult(false, compileError);
        }

        object? value;
        try
        {
            // A fresh map each time: the library takes a mutable dictionary, so share none.
            value = program.Invoke(new Dictionary<string, object?>());
        }
        catch (CelException e)
        {
            return new CelWhenResult(false, e.Message);
        }
        catch (ArgumentException e)
        {
            // The standard library lets some .NET errors through, e.g. a bad regex in matches().
            return new CelWhenResult(false, e.Message);
        }

        return value is bool holds
            ? new CelWhenResult(holds, null)
            : new CelWhenResult(false, $"the CEL expression {cel} is not evaluated to a boolean");
    }
}
