using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton.Vocabulary;

namespace Mothership.Model.Loading;

/// <summary>
/// Tekton's own v1beta1 → v1 conversion (pkg/apis/pipeline/v1beta1/*_conversion.go), applied to
/// the YAML tree before the typed reading, so that one reader and one validator serve both
/// versions. Every node keeps the line and column the user wrote: a diagnostic about a converted
/// field points at the v1beta1 text. What Tekton's conversion carries into v1 unchanged is left
/// alone; what was renamed or moved is renamed or moved here; PipelineResources, which Tekton
/// removed rather than converted, are refused with what replaces them.
/// </summary>
internal static class V1Beta1Conversion
{
    /// <summary>The apiVersion this converts from.</summary>
    public const string ApiVersion = "tekton.dev/v1beta1";

    /// <summary>The kinds Tekton converts; other v1beta1 kinds (StepAction, CustomRun) are read as they are.</summary>
    public static bool Converts(string kind) => kind is "Task" or "ClusterTask" or "Pipeline" or "PipelineRun" or "TaskRun";

    private const string ResourcesRemoved =
        "PipelineResources were removed from Tekton (v0.50; tekton.dev/v1 has none): pass inputs as params and files through workspaces, with a Task that fetches or publishes them (e.g. the Catalog's git-clone writing into a workspace) — see https://tekton.dev/docs/pipelines/migrating-v1beta1-to-v1/";

    /// <summary>
    /// The v1 form of <paramref name="document"/>, a v1beta1 resource of <paramref name="kind"/>:
    /// a new tree sharing the unchanged nodes. Problems Tekton would refuse in the conversion go to
    /// <paramref name="diagnostics"/>.
    /// </summary>
    public static TreeMapping Convert(TreeMapping document, string kind, string file, DiagnosticBag diagnostics)
    {
        var c = new Converter(file, diagnostics);
        return Rebuild(document, (key, value, add) =>
        {
            switch (key.Value)
            {
                case "apiVersion":
                    add(key, new TreeScalar(TektonLabels.ApiVersion, true, value.Line, value.Column));
                    break;
                case "kind" when kind == "ClusterTask":
                    diagnostics.Warning(c.Loc(value), "ClusterTask was removed from Tekton (v0.64): read as a namespaced Task of the same name");
                    add(key, new TreeScalar("Task", true, value.Line, value.Column));
                    break;
                case "spec":
                    add(key, kind switch
                    {
                        "Task" or "ClusterTask" => c.TaskSpec(value, "spec"),
                        "Pipeline" => c.PipelineSpec(value, "spec"),
                        "PipelineRun" => c.PipelineRunSpec(value, "spec"),
                        "TaskRun" => c.TaskRunSpec(value, "spec"),
                        _ => value,
                    });
                    break;
                default:
                    add(key, value);
                    break;
            }
        });
    }

    /// <summary>Where a conversion problem is reported, and the per-kind rules.</summary>
    private sealed class Converter(string file, DiagnosticBag diagnostics)
    {
        public SourceLocation Loc(TreeNode node) => new(file, node.Line, node.Column);

        private void Removed(TreeScalar key, string path) =>
            diagnostics.Error(Loc(key), $"'{path}.resources': {ResourcesRemoved}");

        public TreeNode TaskSpec(TreeNode node, string path) => Map(node, (key, value, add) =>
        {
            switch (key.Value)
            {
                case "resources":
                    Removed(key, path);
                    break;
                case "steps" or "sidecars":
                    add(key, Items(value, item => Container(item)));
                    break;
                case "stepTemplate":
                    add(key, Container(value));
                    break;
                default:
                    add(key, value);
                    break;
            }
        });

        /// <summary>A step, sidecar or step template: <c>resources</c> is v1's <c>computeResources</c>.</summary>
        private static TreeNode Container(TreeNode node) => Map(node, (key, value, add) =>
            add(key.Value == "resources" ? Renamed(key, "computeResources") : key, value));

        public TreeNode PipelineSpec(TreeNode node, string path) => Map(node, (key, value, add) =>
        {
            switch (key.Value)
            {
                case "resources":
                    Removed(key, path);
                    break;
                case "tasks" or "finally":
                    var i = 0;
                    add(key, Items(value, item => PipelineTask(item, $"{path}.{key.Value}[{i++}]")));
                    break;
                default:
                    add(key, value);
                    break;
            }
        });

        private TreeNode PipelineTask(TreeNode node, string path) => Map(node, (key, value, add) =>
        {
            if (!TaskSource(key, value, add, path))
            {
                add(key, value);
            }
        });

        /// <summary>
        /// What a pipeline task and a TaskRun share: PipelineResources refused, the taskRef and
        /// the embedded taskSpec converted. False for any other key.
        /// </summary>
        private bool TaskSource(TreeScalar key, TreeNode value, Add add, string path)
        {
            switch (key.Value)
            {
                case "resources":
                    Removed(key, path);
                    return true;
                case "taskRef":
                    add(key, Reference(value, "task"));
                    return true;
                case "taskSpec":
                    // An embedded task's TaskSpec fields may sit beside metadata, apiVersion, kind and spec.
                    add(key, TaskSpec(value, $"{path}.taskSpec"));
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>A TaskRun's or a taskRunSpecs entry's v1beta1 override key in its v1 name; any other key as it is.</summary>
        private static TreeScalar Override(TreeScalar key) => key.Value switch
        {
            "stepOverrides" => Renamed(key, "stepSpecs"),
            "sidecarOverrides" => Renamed(key, "sidecarSpecs"),
            _ => key,
        };

        public TreeNode PipelineRunSpec(TreeNode node, string path)
        {
            if (node is not TreeMapping m)
            {
                return node;
            }

            // serviceAccountName and podTemplate move into taskRunTemplate; timeout becomes timeouts.pipeline.
            TreeMapping? template = null;
            TreeScalar? timeoutKey = null, timeoutsKey = null;
            var converted = Rebuild(m, (key, value, add) =>
            {
                switch (key.Value)
                {
                    case "resources":
                        Removed(key, path);
                        break;
                    case "pipelineRef":
                        add(key, Reference(value, "pipeline"));
                        break;
                    case "pipelineSpec":
                        add(key, PipelineSpec(value, $"{path}.pipelineSpec"));
                        break;
                    case "serviceAccountName" or "podTemplate":
                        if (template is null)
                        {
                            template = new TreeMapping(key.Line, key.Column);
                            add(Renamed(key, "taskRunTemplate"), template);
                        }

                        template.Add(key, value);
                        break;
                    case "timeout":
                        timeoutKey = key;
                        var timeouts = new TreeMapping(value.Line, value.Column);
                        timeouts.Add(Renamed(key, "pipeline"), value);
                        add(Renamed(key, "timeouts"), timeouts);
                        break;
                    case "timeouts":
                        timeoutsKey = key;
                        add(key, value);
                        break;
                    case "taskRunSpecs":
                        add(key, Items(value, item => Map(item, (k, v, a) => a(k.Value switch
                        {
                            "taskServiceAccountName" => Renamed(k, "serviceAccountName"),
                            "taskPodTemplate" => Renamed(k, "podTemplate"),
                            _ => Override(k),
                        }, v))));
                        break;
                    default:
                        add(key, value);
                        break;
                }
            });
            if (timeoutKey is not null && timeoutsKey is not null)
            {
                // Tekton refuses both too (PipelineRunSpec.Validate: "timeout and timeouts").
                diagnostics.Error(Loc(timeoutKey), $"'{path}.timeout' and '{path}.timeouts' are both set: keep one (v1 has only timeouts.pipeline, .tasks and .finally)");
            }

            return converted;
        }

        public TreeNode TaskRunSpec(TreeNode node, string path) => Map(node, (key, value, add) =>
        {
            if (!TaskSource(key, value, add, path))
            {
                add(Override(key), value);
            }
        });

        /// <summary>
        /// A taskRef or pipelineRef: a <c>bundle</c> becomes the bundles resolver with the
        /// bundle, name and kind params, as Tekton's conversion did when it dropped the field.
        /// </summary>
        private static TreeNode Reference(TreeNode node, string kind)
        {
            if (node is not TreeMapping m || Find(m, "bundle") is not { } bundle)
            {
                return node;
            }

            var name = Find(m, "name");
            return Rebuild(m, (key, value, add) =>
            {
                switch (key.Value)
                {
                    case "bundle":
                        add(Renamed(key, "resolver"), new TreeScalar("bundles", true, value.Line, value.Column));
                        var parameters = new TreeSequence(key.Line, key.Column);
                        parameters.Add(Param("bundle", bundle.Value, bundle.Value));
                        if (name is { } n)
                        {
                            parameters.Add(Param("name", n.Value, n.Value));
                        }

                        parameters.Add(Param("kind", kind, key));
                        add(Renamed(key, "params"), parameters);
                        break;
                    case "name":
                    case "kind":
                        break;
                    default:
                        add(key, value);
                        break;
                }
            });
        }

        private static TreeMapping Param(string name, TreeNode value, TreeNode at)
        {
            var param = new TreeMapping(at.Line, at.Column);
            param.Add(new TreeScalar("name", true, at.Line, at.Column), new TreeScalar(name, true, at.Line, at.Column));
            param.Add(new TreeScalar("value", true, at.Line, at.Column), value);
            return param;
        }

        private static TreeMapping Param(string name, string value, TreeNode at) =>
            Param(name, new TreeScalar(value, true, at.Line, at.Column), at);
    }

    private delegate void Add(TreeNode key, TreeNode value);

    /// <summary>Each entry of a mapping handed to <paramref name="entry"/>, which adds what the v1 mapping holds.</summary>
    private static TreeMapping Rebuild(TreeMapping m, Action<TreeScalar, TreeNode, Add> entry)
    {
        var result = new TreeMapping(m.Line, m.Column);
        for (var i = 0; i < m.Count; i++)
        {
            if (m.Key(i) is TreeScalar key)
            {
                entry(key, m.Value(i), result.Add);
            }
            else
            {
                result.Add(m.Key(i), m.Value(i));
            }
        }

        return result;
    }

    /// <summary><see cref="Rebuild"/> for a node that should be a mapping; anything else is left for the reader to report.</summary>
    private static TreeNode Map(TreeNode node, Action<TreeScalar, TreeNode, Add> entry) =>
        node is TreeMapping m ? Rebuild(m, entry) : node;

    private static TreeNode Items(TreeNode node, Func<TreeNode, TreeNode> convert)
    {
        if (node is not TreeSequence s)
        {
            return node;
        }

        var result = new TreeSequence(s.Line, s.Column);
        foreach (var item in s.Items)
        {
            result.Add(convert(item));
        }

        return result;
    }

    private static TreeScalar Renamed(TreeScalar key, string name) => new(name, true, key.Line, key.Column);

    private static (TreeScalar Key, TreeNode Value)? Find(TreeMapping m, string key)
    {
        for (var i = 0; i < m.Count; i++)
        {
            if (m.KeyText(i) == key && m.Key(i) is TreeScalar k)
            {
                return (k, m.Value(i));
            }
        }

        return null;
    }
}
