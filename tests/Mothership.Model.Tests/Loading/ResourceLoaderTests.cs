using Mothership.Model.Diagnostics;
using Mothership.Model.Limits;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Model.Tests.Loading;

public sealed class ResourceLoaderTests
{
    private static (IReadOnlyList<Resource> Resources, DiagnosticBag Bag) Load(string yaml)
    {
        var bag = new DiagnosticBag();
        return (ResourceLoader.Load("f.yaml", yaml, bag), bag);
    }

    [Fact]
    public void Load_MultiDocument_ReadsEveryKindWithPositions()
    {
        var (resources, bag) = Load("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              params:
                - name: p
                  type: array
                  default: [a, b]
              steps:
                - name: s
                  image: bash
                  script: echo hi
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: s}
            data: {token: aGVsbG8=}
            stringData: {plain: text}
            ---
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: a
                  runAfter: [b]
                  taskRef: {name: t}
            """);
        Assert.False(bag.HasErrors, string.Join('\n', bag.Items));
        var task = Assert.IsType<TektonTask>(resources[0]);
        Assert.Equal(ParamValue.Of(["a", "b"]), task.Spec.Params[0].Default);
        Assert.Equal(new SourceLocation("f.yaml", 10, 7), task.Spec.Steps[0].Location);
        Assert.Equal(12, task.Spec.Steps[0].At("script").Line);
        var secret = Assert.IsType<DataObject>(resources[1]);
        Assert.Equal("hello", secret.Data["token"]);
        Assert.Equal("text", secret.Data["plain"]);
        var pipeline = Assert.IsType<Pipeline>(resources[2]);
        Assert.Equal(new SourceLocation("f.yaml", 26, 18), pipeline.Spec.Tasks[0].At("runAfter[0]"));
    }

    [Fact]
    public void Load_MalformedYaml_ReportsLineAndColumn()
    {
        var (_, bag) = Load("apiVersion: tekton.dev/v1\nkind: Task\n  bad: [indent\n");
        var d = Assert.Single(bag.Items);
        Assert.Equal("f.yaml", d.Location.File);
        Assert.True(d.Location.Line >= 2);
        Assert.StartsWith("malformed YAML", d.Message);
    }

    [Fact]
    public void Load_UnknownKindAndFieldAndWrongType_AreAllReported()
    {
        var (_, bag) = Load("""
            apiVersion: tekton.dev/v1
            kind: Pipelin
            metadata: {name: x}
            spec: {}
            ---
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              stepz: []
              steps:
                - name: s
                  image: bash
                  args: "not a list"
            """);
        var messages = bag.Items.Select(d => $"{d.Location.Line}:{d.Location.Column} {d.Message}").ToList();
        Assert.Contains(messages, m => m.StartsWith("2:1 unknown kind 'Pipelin'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("10:3 unknown field 'spec.stepz'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("14:13 field 'spec.steps[0].args' must be a list of strings", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_NonTektonObjectsBesideTekton_KeptWithAWarningEach()
    {
        var (resources, bag) = Load("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: registry, labels: {app: registry}}
            spec:
              replicas: 1
              template: {spec: {containers: [{name: r, image: registry:2}]}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: registry}
            spec: {ports: [{port: 5000}]}
            ---
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              steps: [{name: s, image: bash, script: echo hi}]
            """);

        Assert.False(bag.HasErrors, string.Join('\n', bag.Items));
        Assert.Equal(["Deployment", "Service", "Task"], resources.Select(r => r.Kind));
        Assert.IsType<OtherObject>(resources[0]);
        Assert.IsType<OtherObject>(resources[1]);
        var warnings = bag.Items.Select(d => $"{d.Location.Line}:{d.Location.Column} {d.Severity} {d.Message}").ToList();
        Assert.Equal(
        [
            "2:1 Warning Deployment 'registry' (apps/v1) is not a Tekton resource: ignored by the local executor; created by the Kubernetes executor only with --create-objects",
            "9:1 Warning Service 'registry' (v1) is not a Tekton resource: ignored by the local executor; created by the Kubernetes executor only with --create-objects",
        ], warnings);
    }

    [Fact]
    public void Load_ParamWithoutValue_EmptyStringWithAWarning()
    {
        var (resources, bag) = Load("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: tr}
            spec:
              params:
                - name: empty
              taskRef: {name: t}
            """);

        Assert.False(bag.HasErrors, string.Join('\n', bag.Items));
        Assert.Equal(ParamValue.Of(""), ((TaskRun)resources.Single()).Spec.Params.Single().Value);
        var warning = Assert.Single(bag.Items);
        Assert.Equal(Severity.Warning, warning.Severity);
        Assert.Contains("has no 'value': it is passed as an empty string, as Tekton does", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PodTemplate_KeepsPodFieldsTypesEnvAndVolumesAndRejectsUnknownFields()
    {
        var (resources, bag) = Load("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: tr}
            spec:
              taskRef: {name: t}
              podTemplate:
                nodeSelector: {disktype: ssd}
                tolerations: [{key: dedicated, operator: Equal, value: ci, effect: NoSchedule}]
                env: [{name: HTTP_PROXY, value: "http://proxy:3128"}]
                volumes: [{name: cache, emptyDir: {}}]
                nodeSelektor: {typo: here}
            """);
        var template = ((TaskRun)resources.Single()).Spec.PodTemplate!;
        Assert.Equal(["nodeSelector", "tolerations"], template.PodFields.Keys);
        Assert.Equal("HTTP_PROXY", Assert.Single(template.Env).Name);
        Assert.Equal("cache", Assert.Single(template.Volumes).Name);
        var error = Assert.Single(bag.Items);
        Assert.Equal((11, 5), (error.Location.Line, error.Location.Column));
        Assert.Equal("unknown field 'spec.podTemplate.nodeSelektor'", error.Message);
    }

    [Fact]
    public void Load_UnsupportedTektonVersion_ExplainsWhatIsRead()
    {
        var (_, bag) = Load("apiVersion: tekton.dev/v1alpha1\nkind: Pipeline\nmetadata: {name: p}\nspec: {}\n");
        Assert.Contains("Mothership reads tekton.dev/v1 and tekton.dev/v1beta1", Assert.Single(bag.Items).Message);
    }

    [Fact]
    public void Load_ObjectValueWithNonScalarKey_IsADiagnosticNotACrash()
    {
        var (_, bag) = Load("apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: t}\nspec:\n  params:\n    - name: o\n      value:\n        ? [a, b]\n        : x\n  taskSpec: {steps: [{name: s, image: x, script: 'true'}]}\n");
        var d = Assert.Single(bag.Items);
        Assert.Equal((8, 11), (d.Location.Line, d.Location.Column));
        Assert.Contains("must be an object with string keys", d.Message);
    }

    [Fact]
    public void Load_InvalidSecretBase64_IsADiagnostic()
    {
        var (_, bag) = Load("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: '***'}\n");
        Assert.Contains("not valid base64", Assert.Single(bag.Items).Message);
    }

    [Fact]
    public void Load_WorkspaceBindings_ReadEveryVolumeKind()
    {
        var (resources, bag) = Load("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {generateName: r-}
            spec:
              pipelineRef: {name: p}
              workspaces:
                - {name: a, emptyDir: {}}
                - {name: b, persistentVolumeClaim: {claimName: c}, subPath: sub}
                - {name: c, configMap: {name: cm, items: [{key: k, path: p}]}}
                - {name: d, secret: {secretName: s}}
                - name: e
                  volumeClaimTemplate:
                    spec: {accessModes: [ReadWriteOnce]}
              timeouts: {pipeline: 1h, tasks: 30m}
            """);
        Assert.False(bag.HasErrors, string.Join('\n', bag.Items));
        var run = Assert.IsType<PipelineRun>(Assert.Single(resources));
        var ws = run.Spec.Workspaces;
        Assert.True(ws[0].Source.EmptyDir);
        Assert.Equal(("c", "sub"), (ws[1].Source.ClaimName, ws[1].SubPath));
        Assert.Equal("cm", ws[2].Source.ConfigMapName);
        Assert.Equal(new KeyToPath("k", "p"), ws[2].Source.Items[0]);
        Assert.Equal("s", ws[3].Source.SecretName);
        Assert.True(ws[4].Source.VolumeClaimTemplate);
        Assert.Equal("30m", run.Spec.Timeouts!.Tasks);
    }

    [Fact]
    public void Load_NestedBrackets100000Deep_DiagnosticAtTheDepthLimit()
    {
        // Issue finding 1: 200 KB of '[' overflowed the stack and killed the process.
        const int levels = 100_000;
        var (resources, bag) = Load("a: " + new string('[', levels) + new string(']', levels) + "\n");

        Assert.Empty(resources);
        var d = Assert.Single(bag.Items);
        Assert.Equal(new SourceLocation("f.yaml", 1, 35), d.Location);
        Assert.Contains("more than 32 levels", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AliasInsideItsOwnAnchor_DiagnosticAtTheAlias()
    {
        // Issue finding 2: a pod affinity that contained itself overflowed the stack in MapReader.ToPlain.
        var (resources, bag) = Load("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: loop}
            spec:
              taskRunTemplate:
                podTemplate:
                  affinity: &l {x: *l}
              pipelineSpec:
                tasks:
                  - name: a
                    taskSpec:
                      steps: [{name: s, image: bash, script: "true"}]
            """);

        Assert.Empty(resources);
        var d = Assert.Single(bag.Items);
        Assert.Equal(new SourceLocation("f.yaml", 7, 24), d.Location);
        Assert.StartsWith("malformed YAML: alias *l is inside the node its anchor &l names", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AliasBomb_DiagnosticNamingTheAliasLimit()
    {
        // Issue finding 7: 7 levels × 10 aliases (524 bytes) took 19 s and 4.3 GB through the API.
        var lines = new List<string>
        {
            "apiVersion: tekton.dev/v1", "kind: PipelineRun", "metadata: {name: bomb}", "spec:",
            "  taskRunTemplate:", "    podTemplate:", "      affinity:", "        l0: &a0 [x, x, x, x, x, x, x, x, x, x]",
        };
        for (var i = 1; i < 7; i++)
        {
            lines.Add($"        l{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]");
        }

        lines.AddRange(["  pipelineSpec:", "    tasks:", "      - name: a", "        taskSpec:", "          steps: [{name: s, image: bash, script: \"true\"}]"]);

        var (resources, bag) = Load(string.Join('\n', lines) + "\n");

        Assert.Empty(resources);
        var d = Assert.Single(bag.Items);
        Assert.Equal(12, d.Location.Line);
        Assert.Contains("aliases expand to more than 100000 nodes", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LimitsGiven_AppliesThem()
    {
        var bag = new DiagnosticBag();
        ResourceLoader.Load("f.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: 1234567890123}\n", bag,
            InputLimits.Default with { MaxYamlScalarLength = 12 });

        var d = Assert.Single(bag.Items);
        Assert.Equal(new SourceLocation("f.yaml", 4, 11), d.Location);
        Assert.Contains("at most 12 characters", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TagYamlDotNetCannotRead_MalformedYamlDiagnostic()
    {
        var (resources, bag) = Load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: !!]x v}\n");

        Assert.Empty(resources);
        var d = Assert.Single(bag.Items);
        Assert.Equal(4, d.Location.Line);
        Assert.Equal("malformed YAML: Global tags must be valid URIs.", d.Message);
    }
}
