using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Scheduling;

/// <summary>A skipped task and why, with Tekton's exact wording.</summary>
public sealed record SkipInfo(string Reason, ImmutableArray<WhenExpression> WhenExpressions);
