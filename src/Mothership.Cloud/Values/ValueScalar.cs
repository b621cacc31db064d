using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Values;

/// <summary>A scalar as written; <see cref="Plain"/> keeps YAML's typing (plain <c>true</c> is a boolean, <c>"true"</c> a string).</summary>
public sealed record ValueScalar(string Text, bool Plain, SourceLocation Source) : ValueNode(Source)
{
    public bool IsNull => Plain && Text is "" or "~" or "null" or "Null" or "NULL";
}
