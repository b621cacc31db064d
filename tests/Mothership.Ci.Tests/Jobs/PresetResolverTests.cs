using Mothership.Ci.Jobs;
using Mothership.Model.Diagnostics;

namespace Mothership.Ci.Tests.Jobs;

/// <summary>Prow's presets merged into the jobs' pods at load time, and Prow's errors for what clashes, at FILE:LINE:COL.</summary>
public sealed class PresetResolverTests
{
    private const string Presets = """
        presets:
        - labels: {preset-gcp: "true"}
          env: [{name: GOOGLE_APPLICATION_CREDENTIALS, value: /etc/gcp/key.json}]
          volumes: [{name: gcp, secret: {secretName: gcp-key}}]
          volumeMounts: [{name: gcp, mountPath: /etc/gcp, readOnly: true}]
          tolerations: [{key: dedicated, operator: Equal, value: ci, effect: NoSchedule}]
        - env: [{name: CI, value: "true"}]
        """;

    [Fact]
    public void Parse_JobWithThePresetsLabels_GetsItsEnvVolumesAndMountsInEveryContainer()
    {
        var config = ProwYaml.Load(Presets + """

            presubmits:
              org/repo:
              - name: pull-e2e
                labels: {preset-gcp: "true", other: x}
                decorate: true
                spec:
                  containers:
                  - {name: test, image: golang, command: [make], env: [{name: A, value: a}]}
                  - {name: helper, image: alpine, command: [sleep]}
              - name: pull-unit
                labels: {preset-gcp: "false"}
                spec: {containers: [{image: golang, command: [make]}]}
            """);

        var e2e = config.PresubmitsFor("org/repo")[0].PodSpec!;
        foreach (var step in e2e.TaskSpec!.Steps)
        {
            Assert.Equal(step.Name == "test" ? ["A", "GOOGLE_APPLICATION_CREDENTIALS", "CI"] : ["GOOGLE_APPLICATION_CREDENTIALS", "CI"], step.Env.Select(e => e.Name));
            var mount = Assert.Single(step.VolumeMounts);
            Assert.Equal(("gcp", "/etc/gcp", true), (mount.Name, mount.MountPath, mount.ReadOnly));
        }

        var volume = Assert.Single(e2e.TaskSpec.Volumes);
        Assert.Equal(("gcp", "gcp-key"), (volume.Name, volume.Source.SecretName));
        var toleration = Assert.IsType<Dictionary<string, object?>>(Assert.Single(Assert.IsType<List<object?>>(e2e.PodTemplate!.PodFields["tolerations"])));
        Assert.Equal("dedicated", toleration["key"]);

        // A label with another value does not select the preset; a preset without labels applies to every job.
        var unit = config.PresubmitsFor("org/repo")[1].PodSpec!;
        Assert.Equal(["CI"], unit.TaskSpec!.Steps.Single().Env.Select(e => e.Name));
        Assert.Empty(unit.TaskSpec.Volumes);
        Assert.Null(unit.PodTemplate);
    }

    [Fact]
    public void Parse_PostsubmitsAndPeriodics_GetPresetsToo()
    {
        var config = ProwYaml.Load(Presets + """

            postsubmits:
              org/repo:
              - {name: post, labels: {preset-gcp: "true"}, spec: {containers: [{image: golang}]}}
            periodics:
            - {name: nightly, interval: 24h, labels: {preset-gcp: "true"}, spec: {containers: [{image: golang}]}}
            """);

        Assert.Equal(["GOOGLE_APPLICATION_CREDENTIALS", "CI"], config.PostsubmitsFor("org/repo").Single().PodSpec!.TaskSpec!.Steps[0].Env.Select(e => e.Name));
        Assert.Equal(["gcp"], config.Periodics.Single().PodSpec!.TaskSpec!.Volumes.Select(v => v.Name));
    }

    [Fact]
    public void Parse_TektonPipelineJob_GetsNoPresets()
    {
        var config = ProwYaml.Load(Presets + """

            presubmits:
              org/repo:
              - name: pull-tekton
                agent: tekton-pipeline
                labels: {preset-gcp: "true"}
                pipeline_run_spec:
                  pipelineSpec:
                    tasks:
                    - name: t
                      taskSpec: {steps: [{name: s, image: alpine, script: echo}]}
            """);

        var job = config.PresubmitsFor("org/repo").Single();
        Assert.Null(job.PodSpec);
        Assert.Empty(job.PipelineRunSpec!.PipelineSpec!.Tasks.Single().TaskSpec!.Steps.Single().Env);
    }

    [Fact]
    public void Parse_PresetsInAnotherFile_AppliedAcrossFiles()
    {
        var dir = Directory.CreateTempSubdirectory("mship-presets-");
        try
        {
            var a = Path.Combine(dir.FullName, "a.yaml");
            var b = Path.Combine(dir.FullName, "b.yaml");
            File.WriteAllText(a, Presets);
            File.WriteAllText(b, "presubmits:\n  org/repo:\n  - {name: unit, labels: {preset-gcp: 'true'}, spec: {containers: [{image: golang}]}}\n");
            var bag = new DiagnosticBag();

            var config = ProwConfig.LoadFiles([a, b], bag);

            Assert.Empty(bag.Items);
            Assert.Equal(["GOOGLE_APPLICATION_CREDENTIALS", "CI"], config!.PresubmitsFor("org/repo").Single().PodSpec!.TaskSpec!.Steps[0].Env.Select(e => e.Name));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Parse_DuplicateEnvVolumeMountAndPath_ErrorsAtTheJobsEntries()
    {
        var problems = ProwYaml.Problems(Presets + """

            presubmits:
              org/repo:
              - name: pull-e2e
                labels: {preset-gcp: "true"}
                spec:
                  containers:
                  - image: golang
                    env: [{name: CI, value: "false"}]
                    volumeMounts:
                    - {name: gcp, mountPath: /creds}
                    - {name: other, mountPath: /etc/gcp}
                  volumes: [{name: gcp, emptyDir: {}}]
            """);

        Assert.Equal(
        [
            "config.yaml:15:15: error: job 'pull-e2e': env var CI is duplicated in its pod: the preset at config.yaml:7:3 sets it too; remove one (Prow refuses the job)",
            "config.yaml:17:11: error: job 'pull-e2e': volume mount gcp is duplicated in its pod: the preset at config.yaml:2:3 sets it too; remove one (Prow refuses the job)",
            "config.yaml:18:11: error: job 'pull-e2e': mount path /etc/gcp is duplicated in its pod: the preset at config.yaml:2:3 sets it too; remove one (Prow refuses the job)",
            "config.yaml:19:17: error: job 'pull-e2e': volume gcp is duplicated in its pod: the preset at config.yaml:2:3 sets it too; remove one (Prow refuses the job)",
        ], problems);
    }

    [Fact]
    public void Parse_OneLabelPairInTwoPresets_Error()
    {
        var problems = ProwYaml.Problems("""
            presets:
            - labels: {preset-a: "true"}
              env: [{name: A, value: a}]
            - labels: {preset-a: "true", other: x}
              env: [{name: B, value: b}]
            """);

        Assert.Equal(["config.yaml:4:3: error: duplicated preset 'label:value' pair preset-a:true: also in the preset at config.yaml:2:3; merge the two presets"], problems);
    }

    [Fact]
    public void Parse_UnknownPresetField_Error()
    {
        var problems = ProwYaml.Problems("""
            presets:
            - labels: {preset-a: "true"}
              envs: [{name: A, value: a}]
            """);

        Assert.Single(problems, p => p.StartsWith("config.yaml:3:3: error:", StringComparison.Ordinal) && p.Contains("envs", StringComparison.Ordinal));
    }
}
