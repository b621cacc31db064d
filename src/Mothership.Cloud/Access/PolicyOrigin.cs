namespace Mothership.Cloud.Access;

/// <summary>
/// Where a policy line came from, for diagnostics and the audit log: the file as its source named
/// it, the 1-based line (0 for a built-in rule) and the line's text, trimmed.
/// </summary>
public sealed record PolicyOrigin(string File, int Line, string Text)
{
    /// <summary>The file name of rules that no file holds (<c>role:admin</c>, <c>role:readonly</c>).</summary>
    public const string BuiltInFile = "<built-in>";

    /// <summary>Whether Mothership itself defines the rule.</summary>
    public bool IsBuiltIn => Line == 0;

    /// <summary><c>FILE:LINE: TEXT</c>, or <c>&lt;built-in&gt;: TEXT</c>.</summary>
    public override string ToString() => IsBuiltIn ? $"{File}: {Text}" : $"{File}:{Line}: {Text}";
}
