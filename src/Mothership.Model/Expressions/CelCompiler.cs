using System.Diagnostics.CodeAnalysis;
using Cel;

namespace Mothership.Model.Expressions;

/// <summary>
/// Compiles the CEL text of a <c>when: [{cel: …}]</c> guard with CEL's standard library and no
/// declared variables, as Tekton does: its <c>$(…)</c> references are substituted into the text
/// before evaluation, so the expression is self-contained. Shared by validation (syntax) and the
/// scheduler (evaluation), so both accept and reject the same texts.
/// </summary>
public static class CelCompiler
{
    /// <summary>
    /// Cached programs at most; past this the cache starts over. Substituted texts differ per run
    /// (params, results), so an unbounded cache would grow for as long as the process lives.
    /// </summary>
    private const int CacheLimit = 1024;

    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, CelProgramDelegate> Cache = new(StringComparer.Ordinal);

    // Building the environment loads the standard library (tens of milliseconds): once per process.
    private static readonly Lazy<CelEnvironment> Environment = new(() => new CelEnvironment([], ""));

    /// <summary>Compiles <paramref name="text"/>, or says why it is not a CEL expression.</summary>
    public static bool TryCompile(string text, [NotNullWhen(true)] out CelProgramDelegate? program, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            program = null;
            error = "the CEL expression is empty";
            return false;
        }

        // The library does not document CelEnvironment as thread-safe: compile under a lock (a
        // compile takes well under a millisecond once the environment is built).
        lock (Gate)
        {
            if (Cache.TryGetValue(text, out program))
            {
                error = null;
                return true;
            }

            try
            {
                program = Environment.Value.Compile(text);
            }
            catch (CelException e)
            {
                error = e.Message;
                return false;
            }

            if (Cache.Count >= CacheLimit)
            {
                Cache.Clear();
            }

            Cache[text] = program;
            error = null;
            return true;
        }
    }

    /// <summary>Why <paramref name="text"/> does not parse as CEL, or null when it does.</summary>
    public static string? SyntaxError(string text) => TryCompile(text, out _, out var error) ? null : error;
}
