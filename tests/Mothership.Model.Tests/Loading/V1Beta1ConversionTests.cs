using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Tekton.Vocabulary;
using Mothership.Model.Validation;

namespace Mothership.Model.Tests.Loading;

public sealed class V1Beta1ConversionTests
{
    private static (IReadOnlyList<Resource> Resources, DiagnosticBag Bag) Load(string yaml)
    {
        var bag = new DiagnosticBag();
        return (ResourceLoader.Load("f.yaml", yaml, bag), bag);
    }

    [Fact]
    public void Load_V1Beta1PipelineRun_MovesServiceAccountPodTemplateAndTimeout()
    {
        var (resources, bag) = Load("""
            apiVersion: tekton.dev/v1beta1
            kind: PipelineRun
            metadata: {name: r}
            spec:
              serviceAccountName: builder
              timeout: 1h
              podTemplate:
                nodeSelector: {disk: ssd}
              taskRunSpecs:
                - pipelineTaskName: a
                  taskServiceAccountName: other
                  taskPodTemplate:
                    nodeSelector: {disk: hdd}
              pipelineSpec:
                tasks:
                  - name: a
                    taskSpec:
                      steps:
                        - name: s
                          image: bash
                          script: echo hi
                          resources:
                            limits: {memory: 1Gi}
            """);
        Assert.False(bag.HasErrors, string.Join('\n', bag.Items));
        var run = Assert.IsType<PipelineRun>(Assert.Single(resources));
        Assert.Equal(TektonLabels.ApiVersion, run.ApiVersion);
        Assert.Equal("builder", run.Spec.ServiceAccountName);
        Assert.Equal("1h", run.Spec.Timeouts?.Pipeline);
        Assert.True(run.Spec.PodTemplate!.PodFields.ContainsKey("nodeSelector"));
        var taskRunSpec = Assert.Single(run.Spec.TaskRunSpecs);
        Assert.Equal("other", taskRunSpec.ServiceAccountName);
        Assert.NotNull(taskRunSpec.PodTemplate);
        var step = Assert.Single(run.Spec.PipelineSpec!.Tasks[0].TaskSpec!.Steps);
        Assert.True(step.Extra.ContainsKey("computeResources"));
        Assert.False(step.Extra.ContainsKey("resources"));
    }

    [Fact]
    public void Load_V1Beta1TaskRun_RenamesOverridesAndStepResources()
    {
        var (resources, bag) = Load("""
            apiVersion: tekton.dev/v1beta1
            kind: TaskRun
            metadata: {name: r}
            spec:
              stepOverrides:
                - name: s
                  resources: {requests: {memory: 1Gi}}
              taskSpec:
                stepTemplate:
                  resources: {requests: {cpu: 100m}}
                steps:
                  - name: s
                    image: bash
                    script: echo hi
                sidecars:
                  - name: side
                    image: bash
                    resources: {requests: {cpu: 100m}}
            """);
        Assert.False(bag.HasErrors, string.Join('\n', bag.Items));
        var run = Assert.IsType<TaskRun>(Assert.Single(resources));
        Assert.True(run.Spec.TaskSpec!.StepTemplate!.Extra.ContainsKey("computeResources"));
        Assert.True(run.Spec.TaskSpec.Sidecars[0].Extra.ContainsKey("computeResources"));
    }

    [Fact]
    public void Load_V1Beta1BundleReference_BecomesTheBundlesResolver()
    {
        var (resources, bag) = Load("""
            apiVersion: tekton.dev/v1beta1
            kind: Pipeline
            metadata: {name: p}
            spec:
              tasks:
                - name: clone
                  taskRef:
                    name: git-clone
                    bundle: registry.example/catalog/git-clone:0.9
            """);
        Assert.False(bag.HasErrors, string.Join('\n', bag.Items));
        var reference = Assert.IsType<Pipeline>(Assert.Single(resources)).Spec.Tasks[0].TaskRef!;
        Assert.Equal("bundles", reference.Resolver);
        Assert.Null(reference.Name);
    }

    [Fact]
    public void Load_V1Beta1PipelineResources_RefusedWithWhatReplacesThemAtTheirLine()
    {
        var (_, bag) = Load("""
            apiVersion: tekton.dev/v1beta1
            kind: Task
            metadata: {name: t}
            spec:
              resources:
                inputs:
                  - name: source
                    type: git
              steps:
                - name: s
                  image: bash
                  script: echo hi
            """);
        var error = Assert.Single(bag.Items, d => d.Severity == Severity.Error);
        Assert.Equal(new SourceLocation("f.yaml", 5, 3), error.Location);
        Assert.Contains("'spec.resources': PipelineResources were removed from Tekton", error.Message, StringComparison.Ordinal);
        Assert.Contains("workspaces", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_V1Beta1UnknownField_ReportedAtTheUsersLine()
    {
        var (_, bag) = Load("""
            apiVersion: tekton.dev/v1beta1
            kind: PipelineRun
            metadata: {name: r}
            spec:
              serviceAccountName: builder
              podTemplate:
                nodeSelectr: {disk: ssd}
              pipelineRef: {name: p}
            """);
        var error = Assert.Single(bag.Items, d => d.Severity == Severity.Error);
        Assert.Equal(7, error.Location.Line);
        Assert.Contains("nodeSelectr", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_V1Beta1TimeoutAndTimeouts_Refused()
    {
        var (_, bag) = Load("""
            apiVersion: tekton.dev/v1beta1
            kind: PipelineRun
            metadata: {name: r}
            spec:
              timeout: 1h
              timeouts: {tasks: 30m}
              pipelineRef: {name: p}
            """);
        Assert.Contains(bag.Items, d => d.Severity == Severity.Error && d.Location.Line == 5 && d.Message.Contains("both set", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_V1Beta1ClusterTask_ReadAsTaskWithAWarning()
    {
        var (resources, bag) = Load("""
            apiVersion: tekton.dev/v1beta1
            kind: ClusterTask
            metadata: {name: t}
            spec:
              steps:
                - name: s
                  image: bash
                  script: echo hi
            """);
        Assert.False(bag.HasErrors, string.Join('\n', bag.Items));
        Assert.IsType<TektonTask>(Assert.Single(resources));
        Assert.Contains(bag.Items, d => d.Severity == Severity.Warning && d.Message.Contains("ClusterTask", StringComparison.Ordinal));
    }

    public static TheoryData<string> Examples() => TektonExamples.In("");

    /// <summary>
    /// Each of Tekton's v1 examples, written as v1beta1 by the inverse rules, converts back to the
    /// very tree of the original (key order aside), and loads and validates as cleanly.
    /// </summary>
    [Theory]
    [MemberData(nameof(Examples))]
    public void Convert_V1Beta1CopyOfUpstreamExample_GivesTheV1Original(string example)
    {
        var text = File.ReadAllText(TektonExamples.PathOf(example));
        var copy = TektonV1Beta1.Copy(text);
        Assert.Contains("tekton.dev/v1beta1", copy, StringComparison.Ordinal);

        var bag = new DiagnosticBag();
        var original = YamlTree.Parse(text);
        var converted = YamlTree.Parse(copy).Select(d => d is TreeMapping m ? ResourceLoader.V1(m, "copy.yaml", bag) : d).ToList();
        Assert.False(bag.HasErrors, string.Join('\n', bag.Items));
        Assert.Equal(original.Count, converted.Count);
        for (var i = 0; i < original.Count; i++)
        {
            Assert.Equal(Plain(original[i]), Plain(converted[i]));
        }

        var loading = new DiagnosticBag();
        var resources = new ResourceSet { All = [.. ResourceLoader.Load("copy.yaml", copy, loading)] };
        ResourceValidator.Validate(resources, loading);
        Assert.False(loading.HasErrors, string.Join('\n', loading.Sorted()));
    }

    /// <summary>A tree as text with mapping keys sorted, so that two trees compare by content.</summary>
    internal static string Plain(TreeNode node) => node switch
    {
        TreeScalar s => System.Text.Json.JsonSerializer.Serialize(s.Value),
        TreeSequence q => "[" + string.Join(",", q.Items.ToArray().Select(Plain)) + "]",
        TreeMapping m => "{" + string.Join(",", Enumerable.Range(0, m.Count)
            .Select(i => $"{Plain(m.Key(i))}:{Plain(m.Value(i))}")
            .Order(StringComparer.Ordinal)) + "}",
        _ => throw new ArgumentException(node.GetType().Name),
    };
}
