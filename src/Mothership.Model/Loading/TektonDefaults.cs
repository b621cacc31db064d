using System.Runtime.CompilerServices;
using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton;

namespace Mothership.Model.Loading;

/// <summary>
/// Tekton's <c>config-defaults</c> ConfigMap, read from the resources a run brings: its
/// <c>default-pod-template</c> key (a PodTemplate in YAML) is merged under every TaskRun's own
/// template, env and volumes by name, as Tekton merges it when it builds a pod. This is how an
/// operator gives every step a proxy, a mirror's git config or a CA bundle, on either executor,
/// without editing the Tasks.
/// </summary>
public static class TektonDefaults
{
    /// <summary>The ConfigMap's name, as in Tekton's own installation.</summary>
    public const string ConfigMapName = "config-defaults";

    /// <summary>The key holding the default pod template.</summary>
    public const string PodTemplateKey = "default-pod-template";

    // Parsed once per ConfigMap object: it is read again for every attempt of every task.
    private static readonly ConditionalWeakTable<DataObject, StrongBox<PodTemplate?>> Parsed = new();

    /// <summary>The default pod template of <paramref name="resources"/>, or null; an invalid one (which validation reports) counts as none.</summary>
    public static PodTemplate? PodTemplate(ResourceSet resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        return resources.FindConfigMap(ConfigMapName) is { } map
            ? Parsed.GetValue(map, m => new StrongBox<PodTemplate?>(Read(m, new DiagnosticBag()))).Value
            : null;
    }

    /// <summary>Reports what is wrong with the default pod template, if <paramref name="resources"/> has one.</summary>
    public static void Validate(ResourceSet resources, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(resources);
        if (resources.FindConfigMap(ConfigMapName) is { } map)
        {
            Read(map, diagnostics);
        }
    }

    private static PodTemplate? Read(DataObject map, DiagnosticBag diagnostics)
    {
        if (!map.Data.TryGetValue(PodTemplateKey, out var text))
        {
            return null;
        }

        // Lines inside the value count from its own first line.
        var file = $"{map.Location.File} (ConfigMap {ConfigMapName}, {PodTemplateKey})";
        var bag = new DiagnosticBag();
        var documents = ResourceLoader.ParseYaml(file, text, bag);
        PodTemplate? template = null;
        switch (documents)
        {
            case null:
                break;
            case [TreeMapping m]:
                template = ResourceLoader.ReadPodTemplate(new MapReader(m, file, PodTemplateKey, bag));
                break;
            case [] or [TreeScalar { Value: "" }]:
                break;
            default:
                bag.Error(new SourceLocation(file, 1, 1), $"'{PodTemplateKey}' must hold one YAML mapping: a pod template (env, volumes, nodeSelector, …)");
                break;
        }

        diagnostics.AddRange(bag.Items);
        return bag.HasErrors ? null : template;
    }
}
