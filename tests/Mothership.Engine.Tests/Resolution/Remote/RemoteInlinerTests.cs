using System.Collections.Immutable;
using Mothership.Engine.Resolution.Remote;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Resolution.Remote;

public sealed class RemoteInlinerTests
{
    private const string Task = """
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: greet}
        spec:
          params: [{name: who}]
          steps: [{name: s, image: alpine, script: "echo $(params.who)"}]
        """;

    private static ResourceSet Load(string yaml)
    {
        var bag = new DiagnosticBag();
        var all = ResourceLoader.Load("r.yaml", yaml, bag);
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        return new ResourceSet { All = [.. all] };
    }

    private static Resource RunOf(ResourceSet set) => set.All.Single(r => r is PipelineRun or TaskRun);

    [Fact]
    public void Inline_NothingFetchedYet_ReportsTheRequestWithParamsSubstituted()
    {
        var set = Load("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: r}
            spec:
              params: [{name: rev, value: v2}]
              taskRef:
                resolver: git
                params:
                  - {name: url, value: "https://x/c.git"}
                  - {name: revision, value: "$(params.rev)"}
                  - {name: pathInRepo, value: t.yaml}
            """);
        var result = RemoteInliner.Inline(RunOf(set), set, ImmutableDictionary<string, ResolvedDocument>.Empty, [], new DiagnosticBag());
        var request = Assert.Single(result.Missing);
        Assert.Equal("v2", request.Params["revision"]);
        Assert.Equal("Task", request.Kind);
        Assert.Same(RunOf(set), result.Run);
    }

    [Fact]
    public void Inline_OverrideGivenAtStart_WinsInRefParams()
    {
        var set = Load("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: r}
            spec:
              params: [{name: rev, value: v2}]
              taskRef:
                resolver: http
                params: [{name: url, value: "https://x/$(params.rev)/t.yaml"}]
            """);
        var result = RemoteInliner.Inline(RunOf(set), set, ImmutableDictionary<string, ResolvedDocument>.Empty,
            [new Param { Name = "rev", Value = ParamValue.Of("v3") }], new DiagnosticBag());
        Assert.Equal("https://x/v3/t.yaml", Assert.Single(result.Missing).Params["url"]);
    }

    [Fact]
    public void Inline_FetchedTasksOfOneName_EmbedsEachInItsOwnPipelineTask()
    {
        var set = Load("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: r}
            spec:
              pipelineSpec:
                tasks:
                  - name: a
                    params: [{name: who, value: a}]
                    taskRef: {resolver: http, params: [{name: url, value: "https://x/a.yaml"}]}
                  - name: b
                    params: [{name: who, value: b}]
                    taskRef: {resolver: http, params: [{name: url, value: "https://x/b.yaml"}]}
            """);
        var first = RemoteInliner.Inline(RunOf(set), set, ImmutableDictionary<string, ResolvedDocument>.Empty, [], new DiagnosticBag());
        var fetched = first.Missing.ToDictionary(m => m.Key, m => new ResolvedDocument(m.Params["url"],
            Task.Replace("echo", m.Params["url"].EndsWith("a.yaml", StringComparison.Ordinal) ? "echo from-a" : "echo from-b", StringComparison.Ordinal)));
        var bag = new DiagnosticBag();
        var result = RemoteInliner.Inline(RunOf(set), set, fetched, [], bag);
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        Assert.Empty(result.Missing);
        var tasks = ((PipelineRun)result.Run).Spec.PipelineSpec!.Tasks;
        Assert.All(tasks, t => Assert.Null(t.TaskRef));
        Assert.Contains("from-a", tasks[0].TaskSpec!.Steps[0].Script, StringComparison.Ordinal);
        Assert.Contains("from-b", tasks[1].TaskSpec!.Steps[0].Script, StringComparison.Ordinal);
        Assert.Equal("https://x/a.yaml", tasks[0].TaskSpec!.Steps[0].Location.File);
    }

    [Fact]
    public void Inline_ClusterRef_BecomesARefByName()
    {
        var set = Load(Task + """

            ---
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: r}
            spec:
              params: [{name: who, value: me}]
              taskRef:
                resolver: cluster
                params: [{name: kind, value: task}, {name: name, value: greet}, {name: namespace, value: ns}]
            """);
        var result = RemoteInliner.Inline(RunOf(set), set, ImmutableDictionary<string, ResolvedDocument>.Empty, [], new DiagnosticBag());
        Assert.Empty(result.Missing);
        var reference = ((TaskRun)result.Run).Spec.TaskRef!;
        Assert.Null(reference.Resolver);
        Assert.Equal("greet", reference.Name);
    }

    [Fact]
    public void Inline_ClusterRefOfTheWrongKind_IsAnError()
    {
        var set = Load("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: r}
            spec:
              taskRef:
                resolver: cluster
                params: [{name: kind, value: pipeline}, {name: name, value: p}]
            """);
        var bag = new DiagnosticBag();
        RemoteInliner.Inline(RunOf(set), set, ImmutableDictionary<string, ResolvedDocument>.Empty, [], bag);
        Assert.Contains(bag.Items, d => d.Message.Contains("kind 'pipeline' where a Task is expected", StringComparison.Ordinal));
    }

    [Fact]
    public void Inline_FetchedDocumentOfAnotherKind_NamesTheSource()
    {
        var set = Load("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: r}
            spec:
              taskRef: {resolver: http, params: [{name: url, value: "https://x/p.yaml"}]}
            """);
        var missing = Assert.Single(RemoteInliner.Inline(RunOf(set), set, ImmutableDictionary<string, ResolvedDocument>.Empty, [], new DiagnosticBag()).Missing);
        var bag = new DiagnosticBag();
        RemoteInliner.Inline(RunOf(set), set, new Dictionary<string, ResolvedDocument> { [missing.Key] = new("https://x/p.yaml", "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: p}\nspec: {tasks: []}\n") }, [], bag);
        Assert.Contains(bag.Items, d => d.Message.Contains("https://x/p.yaml holds a Pipeline; expected one Task", StringComparison.Ordinal));
    }

    [Fact]
    public void Inline_StepRef_AddsTheStepActionUnderANameWithItsDigest()
    {
        var set = Load("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: r}
            spec:
              taskSpec:
                steps:
                  - name: s
                    ref: {resolver: http, params: [{name: url, value: "https://x/sa.yaml"}]}
            """);
        var missing = Assert.Single(RemoteInliner.Inline(RunOf(set), set, ImmutableDictionary<string, ResolvedDocument>.Empty, [], new DiagnosticBag()).Missing);
        Assert.Equal("StepAction", missing.Kind);
        var text = "apiVersion: tekton.dev/v1beta1\nkind: StepAction\nmetadata: {name: act}\nspec: {image: alpine, script: echo hi}\n";
        var result = RemoteInliner.Inline(RunOf(set), set, new Dictionary<string, ResolvedDocument> { [missing.Key] = new("https://x/sa.yaml", text) }, [], new DiagnosticBag());
        var step = ((TaskRun)result.Run).Spec.TaskSpec!.Steps[0];
        Assert.Equal($"act-{RemoteInliner.Digest(text)[..10]}", step.Ref);
        Assert.Null(step.RemoteRef);
        Assert.Equal(step.Ref, Assert.Single(result.Added).Metadata.Name);
    }

    [Fact]
    public void Inline_RefParamWithUnknownVariable_IsAnErrorAtTheParam()
    {
        var set = Load("""
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: r}
            spec:
              taskRef: {resolver: http, params: [{name: url, value: "https://x/$(context.taskRun.uid)"}]}
            """);
        var bag = new DiagnosticBag();
        var result = RemoteInliner.Inline(RunOf(set), set, ImmutableDictionary<string, ResolvedDocument>.Empty, [], bag);
        Assert.Empty(result.Missing);
        Assert.Contains(bag.Items, d => d.Message.Contains("whose variables are not known before the run starts", StringComparison.Ordinal));
    }
}
