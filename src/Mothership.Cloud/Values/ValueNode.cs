using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Values;

/// <summary>A Helm value with the file and line it came from.</summary>
public abstract record ValueNode(SourceLocation Source);
