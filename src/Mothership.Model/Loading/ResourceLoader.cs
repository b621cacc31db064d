using System.Collections.Immutable;
using System.Text;
using Mothership.Model.Diagnostics;
using Mothership.Model.Limits;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using YamlDotNet.Core;

namespace Mothership.Model.Loading;

/// <summary>
/// Loads multi-document YAML holding Tekton v1 resources (v1beta1 ones converted to v1 first, as
/// Tekton converts them) and the Kubernetes objects Tekton examples put beside them. Never throws for bad input: problems become diagnostics.
/// </summary>
public static class ResourceLoader
{
    private static readonly string[] TektonApis = [TektonLabels.ApiVersion, "tekton.dev/v1beta1", "tekton.dev/v1alpha1"];

    /// <summary>
    /// Loads every file; each problem is added to <paramref name="diagnostics"/>. Each file is held
    /// to <paramref name="limits"/> (default <see cref="InputLimits.Default"/>).
    /// </summary>
    public static ResourceSet LoadFiles(IEnumerable<string> paths, DiagnosticBag diagnostics, InputLimits? limits = null)
    {
        var all = ImmutableArray.CreateBuilder<Resource>();
        foreach (var path in paths)
        {
            if (ReadFile(path, diagnostics) is { } text)
            {
                all.AddRange(Load(path, text, diagnostics, limits));
            }
        }

        return new ResourceSet { All = all.ToImmutable() };
    }

    /// <summary>The text of <paramref name="path"/>, or null with a diagnostic when it cannot be read.</summary>
    public static string? ReadFile(string path, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Error(new SourceLocation(path, 0, 0), $"cannot read file: {e.Message}");
            return null;
        }
    }

    /// <summary>Loads one file's text, held to <paramref name="limits"/> (default <see cref="InputLimits.Default"/>).</summary>
    public static IReadOnlyList<Resource> Load(string file, string text, DiagnosticBag diagnostics, InputLimits? limits = null)
    {
        if (ParseYaml(file, text, diagnostics, limits) is not { } documents)
        {
            return [];
        }

        var result = new List<Resource>();
        foreach (var root in documents)
        {
            switch (root)
            {
                case TreeScalar s when string.IsNullOrWhiteSpace(s.Value):
                    continue;
                case TreeMapping m:
                    if (ReadResource(new MapReader(V1(m, file, diagnostics), file, "", diagnostics)) is { } r)
                    {
                        result.Add(r);
                    }

                    break;
                default:
                    diagnostics.Error(new SourceLocation(file, root.Line, root.Column),
                        "a document must be a mapping with apiVersion and kind");
                    break;
            }
        }

        return result;
    }

    /// <summary>
    /// The documents of <paramref name="text"/>, or null (with a diagnostic at the fault) when it
    /// is not YAML or goes beyond <paramref name="limits"/>.
    /// </summary>
    internal static List<TreeNode>? ParseYaml(string file, string text, DiagnosticBag diagnostics, InputLimits? limits = null)
    {
        try
        {
            return YamlTree.Parse(text, limits ?? InputLimits.Default);
        }
        catch (YamlLimitException e)
        {
            diagnostics.Error(new SourceLocation(file, (int)e.Start.Line, (int)e.Start.Column), e.Message);
            return null;
        }
        catch (YamlException e)
        {
            var message = (e.InnerException?.Message ?? e.Message).Trim();
            var at = message.IndexOf("): ", StringComparison.Ordinal);
            message = at >= 0 ? message[(at + 3)..] : message;
            diagnostics.Error(new SourceLocation(file, (int)e.Start.Line, (int)e.Start.Column), $"malformed YAML: {message}");
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this (not a YamlException) when a file ends inside an
            // unclosed flow collection; report it at the end of the file.
            var lines = text.Split('\n');
            diagnostics.Error(new SourceLocation(file, lines.Length, lines[^1].Length + 1), "malformed YAML: the file ends inside an unclosed [ ] or { }");
            return null;
        }
    }

    /// <summary>A tekton.dev/v1beta1 document in its v1 form (<see cref="V1Beta1Conversion"/>); any other as it is.</summary>
    internal static TreeMapping V1(TreeMapping document, string file, DiagnosticBag diagnostics)
    {
        string? apiVersion = null, kind = null;
        for (var i = 0; i < document.Count; i++)
        {
            switch (document.KeyText(i))
            {
                case "apiVersion":
                    apiVersion = (document.Value(i) as TreeScalar)?.Value;
                    break;
                case "kind":
                    kind = (document.Value(i) as TreeScalar)?.Value;
                    break;
            }
        }

        return apiVersion == V1Beta1Conversion.ApiVersion && kind is not null && V1Beta1Conversion.Converts(kind)
            ? V1Beta1Conversion.Convert(document, kind, file, diagnostics)
            : document;
    }

    private static Resource? ReadResource(MapReader r)
    {
        var apiVersion = r.String("apiVersion");
        var kind = r.String("kind");
        if (apiVersion is null || kind is null)
        {
            r.Diagnostics.Error(r.Location, $"missing required field '{(apiVersion is null ? "apiVersion" : "kind")}'");
            return null;
        }

        var meta = ReadMeta(r.Map("metadata"), r);
        var isTekton = TektonApis.Contains(apiVersion);
        if (isTekton && apiVersion != TektonLabels.ApiVersion && kind != "StepAction")
        {
            r.Diagnostics.Error(r.At("apiVersion"), $"unsupported apiVersion '{apiVersion}' for {kind}: Mothership reads tekton.dev/v1 and tekton.dev/v1beta1 (StepAction also v1alpha1)");
            return null;
        }

        if (apiVersion.StartsWith("tekton.dev/", StringComparison.Ordinal) && !isTekton)
        {
            r.Diagnostics.Error(r.At("apiVersion"), $"unknown apiVersion '{apiVersion}': expected tekton.dev/v1 or tekton.dev/v1beta1");
            return null;
        }

        Resource? resource = (isTekton, kind) switch
        {
            (true, "Task") => new TektonTask { ApiVersion = apiVersion, Kind = kind, Metadata = meta, Spec = SpecOf(r, ReadTaskSpec) },
            (true, "Pipeline") => new Pipeline { ApiVersion = apiVersion, Kind = kind, Metadata = meta, Spec = SpecOf(r, ReadPipelineSpec) },
            (true, "PipelineRun") => new PipelineRun { ApiVersion = apiVersion, Kind = kind, Metadata = meta, Spec = SpecOf(r, ReadPipelineRunSpec) },
            (true, "TaskRun") => new TaskRun { ApiVersion = apiVersion, Kind = kind, Metadata = meta, Spec = SpecOf(r, ReadTaskRunSpec) },
            (true, "StepAction") => new StepAction { ApiVersion = apiVersion, Kind = kind, Metadata = meta, Spec = SpecOf(r, ReadStepActionSpec) },
            (true, _) => Unknown(r, $"unknown kind '{kind}' for {apiVersion}: expected Task, Pipeline, PipelineRun, TaskRun or StepAction"),
            (false, "ConfigMap" or "Secret") when apiVersion == "v1" => ReadData(r, apiVersion, kind, meta),
            (false, "ServiceAccount") when apiVersion == "v1" => ReadServiceAccount(r, apiVersion, kind, meta),
            (false, "PersistentVolumeClaim" or "Namespace" or "Role" or "RoleBinding" or "ClusterRole" or "ClusterRoleBinding") =>
                Other(r, apiVersion, kind, meta),
            _ => Foreign(r, apiVersion, kind, meta),
        };
        return resource is null ? null : r.Finish(resource);
    }

    private static Resource? Unknown(MapReader r, string message)
    {
        r.Diagnostics.Error(r.At("kind"), message);
        r.Ignore("spec", "data", "stringData");
        return null;
    }

    /// <summary>
    /// Any other Kubernetes object beside the Tekton ones (a Deployment, a Service, a Trigger): kept
    /// as an <see cref="OtherObject"/> with a warning, as the Catalog's tests carry such objects for
    /// a cluster; the Kubernetes executor creates it when asked (<c>mship run --create-objects</c>).
    /// </summary>
    private static Resource Foreign(MapReader r, string apiVersion, string kind, ObjectMeta meta)
    {
        r.Diagnostics.Warning(r.At("kind"), $"{kind} '{meta.Name ?? meta.GenerateName ?? "(unnamed)"}' ({apiVersion}) is not a Tekton resource: ignored by the local executor; created by the Kubernetes executor only with --create-objects");
        r.Ignore([.. r.Keys]);
        return new OtherObject { ApiVersion = apiVersion, Kind = kind, Metadata = meta };
    }

    private static Resource Other(MapReader r, string apiVersion, string kind, ObjectMeta meta)
    {
        r.Ignore("spec", "secrets", "rules", "roleRef", "subjects", "imagePullSecrets", "status", "automountServiceAccountToken");
        return new OtherObject { ApiVersion = apiVersion, Kind = kind, Metadata = meta };
    }

    private static ServiceAccount ReadServiceAccount(MapReader r, string apiVersion, string kind, ObjectMeta meta)
    {
        var secrets = r.List("secrets", s =>
        {
            var name = s.String("name");
            s.Ignore("namespace", "kind", "apiVersion", "uid");
            s.CheckUnknown();
            return name;
        });
        r.Ignore("imagePullSecrets", "automountServiceAccountToken");
        return new ServiceAccount { ApiVersion = apiVersion, Kind = kind, Metadata = meta, Secrets = secrets };
    }

    private static DataObject ReadData(MapReader r, string apiVersion, string kind, ObjectMeta meta)
    {
        var data = r.StringMap("data");
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        if (kind == "Secret")
        {
            foreach (var (k, v) in data)
            {
                try
                {
                    builder[k] = Encoding.UTF8.GetString(Convert.FromBase64String(v.Trim()));
                }
                catch (FormatException)
                {
                    r.Diagnostics.Error(r.At("data"), $"Secret data '{k}' is not valid base64 (use stringData for plain text)");
                }
            }

            foreach (var (k, v) in r.StringMap("stringData"))
            {
                builder[k] = v;
            }

            r.Ignore("immutable");
        }
        else
        {
            builder.AddRange(data);
            foreach (var (k, v) in r.StringMap("binaryData"))
            {
                builder[k] = v;
            }

            r.Ignore("immutable");
        }

        return new DataObject { ApiVersion = apiVersion, Kind = kind, Metadata = meta, Data = builder.ToImmutable(), Type = kind == "Secret" ? r.String("type") : null };
    }

    private static T SpecOf<T>(MapReader r, Func<MapReader, T> read)
        where T : Located, new()
    {
        var spec = r.Map("spec");
        if (spec is null)
        {
            r.Diagnostics.Error(r.Location, "missing required field 'spec'");
            return new T();
        }

        return read(spec);
    }

    private static ObjectMeta ReadMeta(MapReader? m, MapReader parent)
    {
        if (m is null)
        {
            parent.Diagnostics.Error(parent.Location, "missing required field 'metadata'");
            return new ObjectMeta();
        }

        var meta = new ObjectMeta
        {
            Name = m.String("name"),
            GenerateName = m.String("generateName"),
            Namespace = m.String("namespace"),
            Labels = m.StringMap("labels"),
            Annotations = m.StringMap("annotations"),
        };
        m.Ignore("uid", "resourceVersion", "creationTimestamp", "generation", "ownerReferences", "finalizers", "managedFields");
        if (meta.Name is null && meta.GenerateName is null)
        {
            m.Diagnostics.Error(m.Location, "metadata needs 'name' or 'generateName'");
        }

        return m.Finish(meta);
    }

    internal static TaskSpec ReadTaskSpec(MapReader r)
    {
        var spec = new TaskSpec
        {
            DisplayName = r.String("displayName"),
            Description = r.String("description"),
            Params = r.List("params", ReadParamSpec),
            Results = r.List("results", ReadResultSpec),
            Steps = r.List("steps", s => ReadStep(s, sidecar: false)),
            Sidecars = r.List("sidecars", s => ReadStep(s, sidecar: true)),
            StepTemplate = r.Map("stepTemplate") is { } t ? ReadStep(t, sidecar: false, template: true) : null,
            Workspaces = r.List("workspaces", ReadWorkspaceDeclaration),
            Volumes = r.List("volumes", ReadVolume),
        };
        return r.Finish(spec);
    }

    private static ParamSpec ReadParamSpec(MapReader r)
    {
        var typeText = r.String("type");
        var def = r.Value("default");
        var type = ParseType(r, typeText) ?? def?.Type ?? ParamType.String;
        var props = r.Map("properties");
        var keys = ImmutableArray<string>.Empty;
        if (props is not null)
        {
            keys = [.. PropertyKeys(props)];
        }

        return r.Finish(new ParamSpec
        {
            Name = r.RequiredString("name"),
            Type = type,
            TypeDeclared = typeText is not null,
            Description = r.String("description"),
            Default = def,
            Properties = keys,
            Enum = r.Strings("enum"),
        });
    }

    private static IEnumerable<string> PropertyKeys(MapReader props)
    {
        // Object properties are `{key: {type: string}}`; only their names matter here.
        var names = props.Keys.ToList();
        props.Ignore([.. names]);
        return names;
    }

    private static ParamType? ParseType(MapReader r, string? text) => text switch
    {
        null => null,
        "string" => ParamType.String,
        "array" => ParamType.Array,
        "object" => ParamType.Object,
        _ => Invalid(r, text),
    };

    private static ParamType? Invalid(MapReader r, string text)
    {
        r.Diagnostics.Error(r.At("type"), $"field '{r.Path}.type' must be string, array or object, not '{text}'");
        return null;
    }

    private static ResultSpec ReadResultSpec(MapReader r)
    {
        var typeText = r.String("type");
        var props = r.Map("properties");
        return r.Finish(new ResultSpec
        {
            Name = r.RequiredString("name"),
            Type = ParseType(r, typeText) ?? ParamType.String,
            Description = r.String("description"),
            Properties = props is null ? [] : [.. PropertyKeys(props)],
            Value = r.Value("value"),
        });
    }

    private static Param ReadParam(MapReader r) =>
        r.Finish(new Param { Name = r.RequiredString("name"), Value = r.Value("value") ?? NoValue(r) });

    /// <summary>Tekton accepts a param without a value and passes an empty string (its zero value); so do we, with a warning.</summary>
    private static ParamValue NoValue(MapReader r)
    {
        r.Diagnostics.Warning(r.Location, $"param '{r.Path}' has no 'value': it is passed as an empty string, as Tekton does");
        return ParamValue.Of("");
    }

    private static Step ReadStep(MapReader r, bool sidecar, bool template = false)
    {
        var readiness = ImmutableArray<string>.Empty;
        if (sidecar && r.Map("readinessProbe") is { } probe)
        {
            if (probe.Map("exec") is { } exec)
            {
                readiness = exec.Strings("command");
                exec.CheckUnknown();
            }

            probe.Ignore("httpGet", "tcpSocket", "grpc", "initialDelaySeconds", "periodSeconds", "timeoutSeconds", "successThreshold", "failureThreshold");
            probe.CheckUnknown();
        }

        var extra = r.Keep("computeResources", "resources", "securityContext", "imagePullPolicy", "volumeDevices", "ports",
            "livenessProbe", "startupProbe", "lifecycle", "terminationMessagePath", "terminationMessagePolicy",
            "stdin", "stdinOnce", "tty", "restartPolicy", "displayName");
        if (sidecar)
        {
            // The whole probe too (periods, thresholds, httpGet, tcpSocket), for an executor that hands it to Kubernetes.
            extra = extra.SetItems(r.Keep("readinessProbe"));
        }

        if (!template)
        {
            r.Ignore("when");
        }

        var stepRef = sidecar || template ? null : r.Map("ref") is { } reference ? ReadStepRef(reference) : null;
        var step = new Step
        {
            Name = template ? "" : r.String("name") ?? "",
            Image = r.String("image"),
            Command = r.Strings("command"),
            Args = r.Strings("args"),
            Script = template ? null : r.String("script"),
            Env = r.List("env", ReadEnv),
            EnvFrom = r.List("envFrom", ReadEnvFrom),
            WorkingDir = r.String("workingDir"),
            OnError = sidecar || template ? null : r.String("onError"),
            Timeout = sidecar || template ? null : r.String("timeout"),
            Ref = stepRef?.Resolver is null ? stepRef?.Name : null,
            RemoteRef = stepRef?.Resolver is null ? null : stepRef,
            Params = sidecar || template ? [] : r.List("params", ReadParam),
            Results = sidecar || template ? [] : r.List("results", ReadResultSpec),
            VolumeMounts = r.List("volumeMounts", ReadVolumeMount),
            Workspaces = template ? [] : r.List("workspaces", w =>
                w.Finish(new WorkspaceRef { Name = w.RequiredString("name"), MountPath = w.String("mountPath") }).ToUsage()),
            StdoutConfig = sidecar || template ? null : r.Map("stdoutConfig") is { } so ? ReadOutput(so) : null,
            StderrConfig = sidecar || template ? null : r.Map("stderrConfig") is { } se ? ReadOutput(se) : null,
            ReadinessCommand = readiness,
            Extra = extra,
        };
        return r.Finish(step);
    }

    private sealed record WorkspaceRef : Located
    {
        public required string Name { get; init; }
        public string? MountPath { get; init; }

        public WorkspaceUsage ToUsage() => new(Name, MountPath);
    }

    private static OutputConfig ReadOutput(MapReader r)
    {
        var path = r.String("path") ?? "";
        r.CheckUnknown();
        return new OutputConfig(path);
    }

    /// <summary>A step's <c>ref</c>: a StepAction by name, or a remote resolver with its params.</summary>
    private static ResourceRef ReadStepRef(MapReader r) => r.Finish(new ResourceRef
    {
        Name = r.String("name"),
        Kind = "StepAction",
        Resolver = r.String("resolver"),
        Params = r.List("params", ReadParam),
    });

    internal static EnvVar ReadEnv(MapReader r)
    {
        KeyRef? cm = null, secret = null;
        string? fieldPath = null;
        if (r.Map("valueFrom") is { } from)
        {
            if (from.Map("configMapKeyRef") is { } c)
            {
                cm = new KeyRef(c.String("name") ?? "", c.String("key") ?? "", c.Bool("optional"));
                c.CheckUnknown();
            }

            if (from.Map("secretKeyRef") is { } s)
            {
                secret = new KeyRef(s.String("name") ?? "", s.String("key") ?? "", s.Bool("optional"));
                s.CheckUnknown();
            }

            if (from.Map("fieldRef") is { } f)
            {
                fieldPath = f.String("fieldPath");
                f.Ignore("apiVersion");
                f.CheckUnknown();
            }

            from.Ignore("resourceFieldRef");
            from.CheckUnknown();
        }

        return r.Finish(new EnvVar { Name = r.RequiredString("name"), Value = r.String("value"), ConfigMapKeyRef = cm, SecretKeyRef = secret, FieldPath = fieldPath });
    }

    internal static EnvFromSource ReadEnvFrom(MapReader r)
    {
        string? cm = null, secret = null;
        var optional = false;
        if (r.Map("configMapRef") is { } c)
        {
            cm = c.String("name");
            optional |= c.Bool("optional");
            c.CheckUnknown();
        }

        if (r.Map("secretRef") is { } s)
        {
            secret = s.String("name");
            optional |= s.Bool("optional");
            s.CheckUnknown();
        }

        return r.Finish(new EnvFromSource { Prefix = r.String("prefix"), ConfigMapName = cm, SecretName = secret, Optional = optional });
    }

    internal static VolumeMount ReadVolumeMount(MapReader r) => r.Finish(new VolumeMount
    {
        Name = r.RequiredString("name"),
        MountPath = r.RequiredString("mountPath"),
        ReadOnly = r.Bool("readOnly"),
        SubPath = r.String("subPath"),
    });

    private static WorkspaceDeclaration ReadWorkspaceDeclaration(MapReader r) => r.Finish(new WorkspaceDeclaration
    {
        Name = r.RequiredString("name"),
        Description = r.String("description"),
        MountPath = r.String("mountPath"),
        ReadOnly = r.Bool("readOnly"),
        Optional = r.Bool("optional"),
    });

    internal static Volume ReadVolume(MapReader r) =>
        r.Finish(new Volume { Name = r.RequiredString("name"), Source = ReadVolumeSource(r, binding: false) });

    /// <summary>Reads the storage side shared by Task volumes and workspace bindings.</summary>
    private static VolumeSource ReadVolumeSource(MapReader r, bool binding)
    {
        var source = new VolumeSource { Location = r.Location };
        if (r.Has("emptyDir"))
        {
            r.Ignore("emptyDir");
            source = source with { EmptyDir = true };
        }

        if (r.Map("configMap") is { } cm)
        {
            source = source with { ConfigMapName = cm.String("name"), Items = cm.List("items", ReadKeyToPath) };
            cm.Ignore("defaultMode", "optional");
            cm.CheckUnknown();
        }

        if (r.Map("secret") is { } s)
        {
            source = source with { SecretName = s.String("secretName") ?? s.String("name"), Items = s.List("items", ReadKeyToPath) };
            s.Ignore("defaultMode", "optional");
            s.CheckUnknown();
        }

        if (r.Map("persistentVolumeClaim") is { } pvc)
        {
            source = source with { ClaimName = pvc.String("claimName") };
            pvc.Ignore("readOnly");
            pvc.CheckUnknown();
        }

        if (r.Map("projected") is { } projected)
        {
            var sources = projected.List("sources", p =>
            {
                var inner = ReadVolumeSource(p, binding: false);
                p.CheckUnknown();
                return inner;
            });
            projected.Ignore("defaultMode");
            projected.CheckUnknown();
            source = source with { Sources = sources };
        }

        if (binding && r.Has("volumeClaimTemplate"))
        {
            // Kept as written: the Kubernetes executor creates the claim from it.
            source = source with { VolumeClaimTemplate = true, ClaimTemplate = r.Keep("volumeClaimTemplate")["volumeClaimTemplate"] as IReadOnlyDictionary<string, object?> };
        }

        if (r.Has("csi"))
        {
            r.Ignore("csi");
            source = source with { Csi = true };
        }

        r.Ignore("hostPath", "downwardAPI", "serviceAccountToken", "nfs");
        return source;
    }

    private static KeyToPath ReadKeyToPath(MapReader r)
    {
        var k = new KeyToPath(r.String("key") ?? "", r.String("path") ?? "");
        r.Ignore("mode");
        r.CheckUnknown();
        return k;
    }

    internal static PipelineSpec ReadPipelineSpec(MapReader r) => r.Finish(new PipelineSpec
    {
        DisplayName = r.String("displayName"),
        Description = r.String("description"),
        Params = r.List("params", ReadParamSpec),
        Tasks = r.List("tasks", ReadPipelineTask),
        Finally = r.List("finally", ReadPipelineTask),
        Results = r.List("results", ReadResultSpec),
        Workspaces = r.List("workspaces", ReadWorkspaceDeclaration),
    });

    private static PipelineTask ReadPipelineTask(MapReader r)
    {
        TaskSpec? taskSpec = null;
        if (r.Map("taskSpec") is { } ts)
        {
            ts.Ignore("metadata", "apiVersion", "kind", "spec");
            taskSpec = ReadTaskSpec(ts);
        }

        if (r.Has("pipelineSpec"))
        {
            r.Ignore("pipelineSpec");
            r.Diagnostics.Error(r.At("pipelineSpec"), $"'{r.Path}.pipelineSpec': pipelines in pipelines are not supported; use taskRef or taskSpec");
        }

        return r.Finish(new PipelineTask
        {
            Name = r.RequiredString("name"),
            DisplayName = r.String("displayName"),
            Description = r.String("description"),
            TaskRef = r.Map("taskRef") is { } tr ? ReadRef(tr) : null,
            TaskSpec = taskSpec,
            PipelineRef = r.Map("pipelineRef") is { } pr ? ReadRef(pr) : null,
            Params = r.List("params", ReadParam),
            RunAfter = r.Strings("runAfter"),
            When = r.List("when", ReadWhen),
            Retries = r.Int("retries") ?? 0,
            Timeout = r.String("timeout"),
            Workspaces = r.List("workspaces", ReadTaskWorkspaceBinding),
            Matrix = r.Map("matrix") is { } m ? ReadMatrix(m) : null,
            OnError = r.String("onError"),
        });
    }

    private static ResourceRef ReadRef(MapReader r)
    {
        r.Ignore("apiVersion", "bundle");
        return r.Finish(new ResourceRef { Name = r.String("name"), Kind = r.String("kind"), Resolver = r.String("resolver"), Params = r.List("params", ReadParam) });
    }

    private static WhenExpression ReadWhen(MapReader r) => r.Finish(new WhenExpression
    {
        Input = r.String("input"),
        Operator = r.String("operator"),
        Values = r.Strings("values"),
        Cel = r.String("cel"),
    });

    private static WorkspaceTaskBinding ReadTaskWorkspaceBinding(MapReader r) => r.Finish(new WorkspaceTaskBinding
    {
        Name = r.RequiredString("name"),
        Workspace = r.String("workspace"),
        SubPath = r.String("subPath"),
    });

    private static Matrix ReadMatrix(MapReader r) => r.Finish(new Matrix
    {
        Params = r.List("params", ReadParam),
        Include = r.List("include", i => i.Finish(new MatrixInclude { Name = i.String("name"), Params = i.List("params", ReadParam) })),
    });

    private static WorkspaceBinding ReadWorkspaceBinding(MapReader r)
    {
        var name = r.RequiredString("name");
        var subPath = r.String("subPath");
        var source = ReadVolumeSource(r, binding: true);
        return r.Finish(new WorkspaceBinding { Name = name, SubPath = subPath, Source = source });
    }

    private static PipelineRunTimeouts ReadTimeouts(MapReader r) => r.Finish(new PipelineRunTimeouts
    {
        Pipeline = r.String("pipeline"),
        Tasks = r.String("tasks"),
        Finally = r.String("finally"),
    });

    internal static PipelineRunSpec ReadPipelineRunSpec(MapReader r)
    {
        r.Ignore("managedBy");
        string? sa = null;
        PodTemplate? podTemplate = null;
        if (r.Map("taskRunTemplate") is { } template)
        {
            sa = template.String("serviceAccountName");
            podTemplate = template.Map("podTemplate") is { } pt ? ReadPodTemplate(pt) : null;
            template.CheckUnknown();
        }

        return r.Finish(new PipelineRunSpec
        {
            PipelineRef = r.Map("pipelineRef") is { } pr ? ReadRef(pr) : null,
            PipelineSpec = r.Map("pipelineSpec") is { } ps ? ReadPipelineSpec(ps) : null,
            Params = r.List("params", ReadParam),
            Workspaces = r.List("workspaces", ReadWorkspaceBinding),
            Timeouts = r.Map("timeouts") is { } t ? ReadTimeouts(t) : null,
            Status = r.String("status"),
            ServiceAccountName = sa,
            PodTemplate = podTemplate,
            TaskRunSpecs = r.List("taskRunSpecs", s => s.Finish(new PipelineTaskRunSpec
            {
                PipelineTaskName = s.RequiredString("pipelineTaskName"),
                ServiceAccountName = s.String("serviceAccountName"),
                PodTemplate = s.Map("podTemplate") is { } pt ? ReadPodTemplate(pt) : null,
                Extra = s.Keep("stepSpecs", "sidecarSpecs", "metadata", "computeResources", "timeout"),
            })),
        });
    }

    internal static TaskRunSpec ReadTaskRunSpec(MapReader r)
    {
        r.Ignore("debug", "stepSpecs", "sidecarSpecs", "computeResources", "managedBy", "statusMessage");
        return r.Finish(new TaskRunSpec
        {
            PodTemplate = r.Map("podTemplate") is { } pt ? ReadPodTemplate(pt) : null,
            TaskRef = r.Map("taskRef") is { } tr ? ReadRef(tr) : null,
            TaskSpec = r.Map("taskSpec") is { } ts ? ReadTaskSpec(ts) : null,
            Params = r.List("params", ReadParam),
            Workspaces = r.List("workspaces", ReadWorkspaceBinding),
            Timeout = r.String("timeout"),
            Retries = r.Int("retries") ?? 0,
            Status = r.String("status"),
            ServiceAccountName = r.String("serviceAccountName"),
        });
    }

    /// <summary>A pod template: volumes and env typed, the pod-level fields kept as written; anything else is unknown.</summary>
    internal static PodTemplate ReadPodTemplate(MapReader r) => r.Finish(new PodTemplate
    {
        Volumes = r.List("volumes", ReadVolume),
        Env = r.List("env", ReadEnv),
        PodFields = r.Keep([.. PodTemplate.PodFieldNames]).ToImmutableSortedDictionary(StringComparer.Ordinal),
    });

    private static StepActionSpec ReadStepActionSpec(MapReader r)
    {
        r.Ignore("securityContext", "description");
        return r.Finish(new StepActionSpec
        {
            Image = r.String("image"),
            Command = r.Strings("command"),
            Args = r.Strings("args"),
            Script = r.String("script"),
            Env = r.List("env", ReadEnv),
            WorkingDir = r.String("workingDir"),
            Params = r.List("params", ReadParamSpec),
            Results = r.List("results", ReadResultSpec),
            VolumeMounts = r.List("volumeMounts", ReadVolumeMount),
        });
    }
}
