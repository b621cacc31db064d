using Mothership.Model.Tekton;

namespace Mothership.Engine.Execution;

/// <summary>
/// A result as written by a step, typed by its declaration: kept byte for byte for strings (a
/// trailing newline from <c>echo</c> stays), parsed as JSON for arrays and objects. Every executor
/// reads results this way, whatever carried the bytes back.
/// </summary>
public static class ResultValues
{
    /// <summary>The typed value, or null with <paramref name="error"/> when the text does not match the declared type.</summary>
    public static ParamValue? Parse(ResultSpec spec, string text, string owner, out string? error)
    {
        error = null;
        if (spec.Type == ParamType.String)
        {
            return ParamValue.Of(text);
        }

        var value = ParamValue.Parse(text, spec.Type);
        if (value.Type == spec.Type)
        {
            return value;
        }

        var kind = spec.Type == ParamType.Array ? "a JSON array" : "a JSON object";
        error = $"{owner} result \"{spec.Name}\" is declared as {spec.Type.ToString().ToLowerInvariant()} but its value is not {kind}: {(text.Length > 80 ? text[..80] + "…" : text)}";
        return null;
    }
}
