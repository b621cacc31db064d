using YamlDotNet.RepresentationModel;

namespace Mothership.Testing;

/// <summary>
/// Writes a tekton.dev/v1 file as its tekton.dev/v1beta1 equivalent, by the inverse of Tekton's
/// conversion rules (pkg/apis/pipeline/v1beta1/*_conversion.go, the ConvertFrom side): the
/// fixtures hold Tekton's examples in v1 only, and a v1beta1 copy of each proves the reading of
/// v1beta1 gives what the v1 original gives. Written on YamlDotNet's representation model, apart
/// from the production conversion, so that the two are not the same code checked against itself.
/// </summary>
public static class TektonV1Beta1
{
    /// <summary>The v1beta1 text of <paramref name="v1Text"/>; documents that are not Tekton v1 resources are kept as they are.</summary>
    public static string Copy(string v1Text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(v1Text));
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is not YamlMappingNode root
                || Scalar(root, "apiVersion") != "tekton.dev/v1"
                || !root.Children.TryGetValue("spec", out var spec) || spec is not YamlMappingNode s)
            {
                continue;
            }

            var kind = Scalar(root, "kind");

            switch (kind)
            {
                case "Task":
                    TaskSpec(s);
                    break;
                case "Pipeline":
                    PipelineSpec(s);
                    break;
                case "PipelineRun":
                    PipelineRunSpec(s);
                    break;
                case "TaskRun":
                    TaskRunSpec(s);
                    break;
                default:
                    continue;
            }

            root.Children[new YamlScalarNode("apiVersion")] = new YamlScalarNode("tekton.dev/v1beta1");
        }

        var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static string? Scalar(YamlMappingNode m, string key) =>
        m.Children.TryGetValue(key, out var v) && v is YamlScalarNode s ? s.Value : null;

    private static void TaskSpec(YamlMappingNode spec)
    {
        foreach (var list in new[] { "steps", "sidecars" })
        {
            foreach (var container in Items(spec, list))
            {
                Rename(container, "computeResources", "resources");
            }
        }

        if (spec.Children.TryGetValue("stepTemplate", out var t) && t is YamlMappingNode template)
        {
            Rename(template, "computeResources", "resources");
        }
    }

    private static void PipelineSpec(YamlMappingNode spec)
    {
        foreach (var task in Items(spec, "tasks").Concat(Items(spec, "finally")))
        {
            if (task.Children.TryGetValue("taskSpec", out var ts) && ts is YamlMappingNode taskSpec)
            {
                TaskSpec(taskSpec);
            }
        }
    }

    private static void PipelineRunSpec(YamlMappingNode spec)
    {
        if (spec.Children.TryGetValue("pipelineSpec", out var ps) && ps is YamlMappingNode pipelineSpec)
        {
            PipelineSpec(pipelineSpec);
        }

        // taskRunTemplate's fields go back to the spec; timeouts with only pipeline becomes the old timeout.
        if (spec.Children.TryGetValue("taskRunTemplate", out var t) && t is YamlMappingNode template)
        {
            spec.Children.Remove("taskRunTemplate");
            foreach (var (key, value) in template.Children)
            {
                spec.Children[key] = value;
            }
        }

        if (spec.Children.TryGetValue("timeouts", out var to) && to is YamlMappingNode timeouts
            && timeouts.Children.Count == 1 && timeouts.Children.TryGetValue("pipeline", out var pipeline))
        {
            spec.Children.Remove("timeouts");
            spec.Children[new YamlScalarNode("timeout")] = pipeline;
        }

        foreach (var taskRunSpec in Items(spec, "taskRunSpecs"))
        {
            Rename(taskRunSpec, "serviceAccountName", "taskServiceAccountName");
            Rename(taskRunSpec, "podTemplate", "taskPodTemplate");
            Rename(taskRunSpec, "stepSpecs", "stepOverrides");
            Rename(taskRunSpec, "sidecarSpecs", "sidecarOverrides");
        }
    }

    private static void TaskRunSpec(YamlMappingNode spec)
    {
        if (spec.Children.TryGetValue("taskSpec", out var ts) && ts is YamlMappingNode taskSpec)
        {
            TaskSpec(taskSpec);
        }

        Rename(spec, "stepSpecs", "stepOverrides");
        Rename(spec, "sidecarSpecs", "sidecarOverrides");
    }

    private static IEnumerable<YamlMappingNode> Items(YamlMappingNode m, string key) =>
        m.Children.TryGetValue(key, out var v) && v is YamlSequenceNode s ? s.Children.OfType<YamlMappingNode>() : [];

    private static void Rename(YamlMappingNode m, string from, string to)
    {
        if (m.Children.TryGetValue(from, out var value))
        {
            m.Children.Remove(from);
            m.Children[new YamlScalarNode(to)] = value;
        }
    }
}
