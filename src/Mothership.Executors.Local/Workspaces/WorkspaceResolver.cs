using Mothership.Engine.Execution;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;

namespace Mothership.Executors.Local.Workspaces;

/// <summary>A declared workspace after binding: its host directory (null when unbound) and where steps see it.</summary>
internal sealed record ResolvedWorkspace(
    string Name,
    string? HostDirectory,
    string MountPath,
    bool ReadOnly,
    string Claim,
    string Volume);

/// <summary>
/// Turns workspace bindings and Task volumes into directories:
/// <list type="bullet">
/// <item><c>emptyDir</c>: <c>attempt/volumes/ws-&lt;name&gt;</c>, new for every attempt (outside
/// <c>attempt/workspace</c>, so that an isolated workspace does not show through <c>/workspace</c>);</item>
/// <item><c>persistentVolumeClaim</c>: <c>Root/../volumes/&lt;claimName&gt;</c>, kept between runs;</item>
/// <item><c>volumeClaimTemplate</c>: <c>Root/&lt;RunUid&gt;/claims/&lt;ClaimName ?? binding name&gt;</c>,
/// shared by the tasks of one PipelineRun;</item>
/// <item><c>configMap</c>, <c>secret</c>, <c>projected</c>: a fresh directory with one file per key;</item>
/// <item>a host path (<c>mship run -w NAME=DIR</c>): that directory.</item>
/// </list>
/// <c>subPath</c> appends a (created) sub directory.
/// </summary>
internal sealed class WorkspaceResolver(TaskRunRequest request, AttemptDirectories dirs, SecretMasker masker)
{
    public IReadOnlyList<ResolvedWorkspace> ResolveWorkspaces()
    {
        var resolved = new List<ResolvedWorkspace>();
        var missing = new List<string>();
        foreach (var decl in request.Spec.Workspaces)
        {
            var mountPath = decl.MountPath ?? $"/workspace/{decl.Name}";
            var binding = request.Workspaces.FirstOrDefault(b => b.Name == decl.Name);
            if (binding is null)
            {
                if (!decl.Optional)
                {
                    missing.Add(decl.Name);
                }

                resolved.Add(new ResolvedWorkspace(decl.Name, null, mountPath, decl.ReadOnly, "", ""));
                continue;
            }

            var source = binding.Source;
            var dir = source switch
            {
                { HostPath: { } host } => Path.GetFullPath(host),
                { ClaimName: { } claim } when !source.VolumeClaimTemplate =>
                    ContainedPath.Resolve(ClaimsRoot, Claim(claim, $"workspace \"{decl.Name}\""), $"workspace \"{decl.Name}\": claim"),
                { VolumeClaimTemplate: true } => Path.Combine(dirs.Run, "claims", source.ClaimName ?? binding.Name),
                { EmptyDir: true } => Path.Combine(dirs.Volumes, "ws-" + decl.Name),
                _ => Materialize(source, Path.Combine(dirs.Volumes, "ws-" + decl.Name), $"workspace \"{decl.Name}\""),
            };

            if (!string.IsNullOrEmpty(binding.SubPath))
            {
                dir = ContainedPath.Resolve(dir, binding.SubPath, $"workspace \"{decl.Name}\": subPath");
            }

            Directory.CreateDirectory(dir);
            var claimName = source.VolumeClaimTemplate ? source.ClaimName ?? binding.Name : source.ClaimName ?? "";

            resolved.Add(new ResolvedWorkspace(decl.Name, dir, mountPath, decl.ReadOnly, claimName, "ws-" + decl.Name));
        }

        if (missing.Count > 0)
        {
            throw new AttemptFailure(
                $"bound workspaces did not match declared workspaces: didn't provide required values: [{string.Join(", ", missing)}]");
        }

        return resolved;
    }

    /// <summary>Where <c>persistentVolumeClaim</c> claims live: <c>Root/../volumes</c>, beside the runs, kept between them.</summary>
    private string ClaimsRoot => Path.Combine(Path.GetDirectoryName(dirs.Root) ?? dirs.Root, "volumes");

    /// <summary>A claim's name, checked as a claim name (no <c>/</c>, no <c>..</c>) once substituted.</summary>
    private static string Claim(string claim, string what) =>
        WorkspacePathRules.ClaimNameProblem(claim) is { } problem ? throw new AttemptFailure($"{what}: {problem}") : claim;

    /// <summary>The Task's <c>volumes</c>, by name, as directories.</summary>
    public IReadOnlyDictionary<string, string> ResolveVolumes()
    {
        var volumes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in request.Spec.Volumes)
        {
            var target = Path.Combine(dirs.Volumes, v.Name);
            volumes[v.Name] = v.Source switch
            {
                { HostPath: { } host } => host,
                { ClaimName: { } claim } => ContainedPath.Resolve(ClaimsRoot, Claim(claim, $"volume \"{v.Name}\""), $"volume \"{v.Name}\": claim"),
                { EmptyDir: true } => target,
                _ => Materialize(v.Source, target, $"volume \"{v.Name}\""),
            };
            Directory.CreateDirectory(volumes[v.Name]);
        }

        return volumes;
    }

    private string Materialize(VolumeSource source, string target, string what)
    {
        Directory.CreateDirectory(target);
        var sources = source.Sources.IsDefaultOrEmpty ? [source] : source.Sources;
        foreach (var s in sources)
        {
            if (s.ConfigMapName is null && s.SecretName is null)
            {
                if (s.Csi)
                {
                    throw new AttemptFailure($"{what}: csi volumes are not supported by the local executor");
                }

                continue;
            }

            var isSecret = s.SecretName is not null;
            var name = s.SecretName ?? s.ConfigMapName!;
            var kind = isSecret ? "Secret" : "ConfigMap";
            var data = (isSecret ? request.Resources.FindSecret(name) : request.Resources.FindConfigMap(name))
                ?? throw new AttemptFailure($"{what}: {kind} \"{name}\" not found");
            var items = s.Items.IsDefaultOrEmpty
                ? data.Data.Select(kv => new KeyToPath(kv.Key, kv.Key))
                : s.Items;
            foreach (var item in items)
            {
                if (!data.Data.TryGetValue(item.Key, out var value))
                {
                    throw new AttemptFailure($"{what}: couldn't find key {item.Key} in {kind} default/{name}");
                }

                if (isSecret)
                {
                    masker.Add(value);
                }

                var file = ContainedPath.Resolve(target, item.Path, $"{what}: item path");

                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                Write(file, value, isSecret);
            }
        }

        return target;
    }

    /// <summary>A Secret's value is its owner's alone (0600), like the run folder it is in; a ConfigMap's is readable (0644).</summary>
    private static void Write(string file, string value, bool isSecret)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = isSecret
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }

        using var stream = new FileStream(file, options);
        using var writer = new StreamWriter(stream);
        writer.Write(value);
    }
}
