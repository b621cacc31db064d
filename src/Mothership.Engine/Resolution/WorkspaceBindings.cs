using Mothership.Model.Tekton;

namespace Mothership.Engine.Resolution;

/// <summary>
/// Checks, before anything runs, that a run binds every workspace its Pipeline or Task
/// declares as required. Done at start rather than in file validation because
/// <c>mship run -w NAME=DIR</c> (and later the API) may add bindings to a run from a file.
/// </summary>
public static class WorkspaceBindings
{
    public static void RequireBound(IEnumerable<WorkspaceDeclaration> declared, IReadOnlyList<WorkspaceBinding> bound, string runLabel)
    {
        var missing = declared.Where(w => !w.Optional && bound.All(b => b.Name != w.Name)).Select(w => w.Name).ToList();
        if (missing.Count > 0)
        {
            var names = string.Join(", ", missing.Select(m => $"'{m}'"));
            throw new TaskResolutionException(
                $"{runLabel} does not bind the required workspace{(missing.Count > 1 ? "s" : "")} {names}: add {(missing.Count > 1 ? "them" : "it")} under spec.workspaces, or pass -w NAME=DIR");
        }
    }
}
