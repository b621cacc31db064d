using Mothership.Ci.Jobs;
using Mothership.Model.Diagnostics;

namespace Mothership.Ci.Tests.Jobs;

/// <summary>Reading Prow's config.yaml: Prow's defaults, and each of its validation errors at its FILE:LINE:COL.</summary>
public sealed class ProwConfigTests
{
    [Fact]
    public void Parse_MinimalPresubmit_ProwsDefaults()
    {
        var job = ProwYaml.Presubmit($"""
            name: pull-unit
            {ProwYaml.Spec}
            """);

        Assert.Equal("pull-unit", job.Name);
        Assert.Equal("pull-unit", job.Context);
        Assert.Equal(@"(?m)^/test( | .* )pull-unit,?($|\s.*)", job.Trigger);
        Assert.Equal("/test pull-unit", job.RerunCommand);
        Assert.Equal(JobAgents.Kubernetes, job.Agent);
        Assert.Equal("default", job.Cluster);
        Assert.False(job.AlwaysRun);
        Assert.False(job.Optional);
        Assert.False(job.SkipReport);
        Assert.Null(job.Decorate);
        Assert.Equal(0, job.MaxConcurrency);
        Assert.True(job.Brancher.RunsAgainstAllBranches);
        Assert.False(job.Changes.CouldRun);
        Assert.True(job.NeedsExplicitTrigger);
        Assert.True(job.ContextRequired);
        Assert.Equal(new SourceLocation(ProwYaml.File, 3, 5), job.Location);
        Assert.Equal(new SourceLocation(ProwYaml.File, 3, 5), job.At("name"));
    }

    [Fact]
    public void Parse_PodSpec_ContainersBecomeStepsOfATaskRun()
    {
        var job = ProwYaml.Presubmit("""
            name: pull-unit
            decorate: true
            spec:
              serviceAccountName: ci
              nodeSelector: {pool: ci}
              restartPolicy: Never
              containers:
              - image: golang:1.22
                command: [make]
                args: [test]
                workingDir: /src
                env: [{name: GOFLAGS, value: -mod=vendor}]
                resources: {requests: {cpu: "2"}}
                securityContext: {privileged: true}
                volumeMounts: [{name: cache, mountPath: /cache}]
              volumes: [{name: cache, emptyDir: {}}]
            """);

        var run = job.PodSpec!;
        var step = Assert.Single(run.TaskSpec!.Steps);
        Assert.Equal("test", step.Name);
        Assert.Equal("golang:1.22", step.Image);
        Assert.Equal(["make"], step.Command);
        Assert.Equal(["test"], step.Args);
        Assert.Equal("/src", step.WorkingDir);
        Assert.Equal("GOFLAGS", Assert.Single(step.Env).Name);
        Assert.True(step.Extra.ContainsKey("resources"));
        Assert.True(step.Extra.ContainsKey("securityContext"));
        Assert.Equal("/cache", Assert.Single(step.VolumeMounts).MountPath);
        Assert.Equal("cache", Assert.Single(run.TaskSpec.Volumes).Name);
        Assert.Equal("ci", run.ServiceAccountName);
        Assert.True(run.PodTemplate!.PodFields.ContainsKey("nodeSelector"));
        Assert.True(job.Decorate);
        Assert.Equal(new SourceLocation(ProwYaml.File, 10, 9), step.Location);
    }

    [Fact]
    public void Parse_PipelineRunSpec_ReadAsAPipelineRunsSpec()
    {
        var job = ProwYaml.Presubmit("""
            name: pull-tekton
            agent: tekton-pipeline
            pipeline_run_spec:
              pipelineSpec:
                tasks:
                - name: unit
                  taskSpec:
                    steps:
                    - image: alpine
                      script: make test
              params: [{name: revision, value: main}]
            """);

        Assert.Equal(JobAgents.TektonPipeline, job.Agent);
        Assert.Null(job.PodSpec);
        var spec = job.PipelineRunSpec!;
        Assert.Equal("unit", Assert.Single(spec.PipelineSpec!.Tasks).Name);
        Assert.Equal("revision", Assert.Single(spec.Params).Name);
        Assert.Equal(new SourceLocation(ProwYaml.File, 6, 7), spec.Location);
    }

    [Fact]
    public void Parse_PipelineRefToTheCluster_WarningNotError()
    {
        var problems = ProwYaml.Problems("""
            presubmits:
              org/repo:
              - name: pull-tekton
                agent: tekton-pipeline
                pipeline_run_spec:
                  pipelineRef: {name: build-and-test}
            """);

        Assert.Equal(["config.yaml:6:21: warning: PipelineRun 'pull-tekton' references Pipeline 'build-and-test', which is not in this file: it must exist in the cluster the job runs on"], problems);
    }

    [Fact]
    public void Parse_PostsubmitAndPeriodic_Defaults()
    {
        var config = ProwYaml.Load($$"""
            postsubmits:
              org/repo:
              - name: post-build
                {{ProwYaml.Spec.ReplaceLineEndings("\n    ")}}
            periodics:
            - name: ci-nightly
              cron: "0 3 * * *"
              {{ProwYaml.Spec.ReplaceLineEndings("\n  ")}}
            - name: ci-hourly
              interval: 1h
              {{ProwYaml.Spec.ReplaceLineEndings("\n  ")}}
            """);

        var post = config.PostsubmitsFor("org/repo").Single();
        Assert.Null(post.AlwaysRun);
        Assert.Equal("post-build", post.Context);
        Assert.Equal("0 3 * * *", config.Periodics[0].Cron);
        Assert.Equal(TimeSpan.FromHours(1), config.Periodics[1].Interval);
        Assert.Empty(config.PresubmitsFor("org/other"));
    }

    [Fact]
    public void Parse_ProwsOtherSettings_Accepted()
    {
        var config = ProwYaml.Load("""
            prowjob_namespace: prow
            pod_namespace: test-pods
            plank:
              job_url_prefix_config: {"*": https://prow.example.com/view/}
            tide:
              queries: [{repos: [org/repo], labels: [lgtm, approved]}]
            decorate_all_jobs: true
            presets:
            - labels: {preset-service-account: "true"}
              env: [{name: GOOGLE_APPLICATION_CREDENTIALS, value: /etc/sa/key.json}]
            """);

        Assert.Empty(config.Presubmits);
    }

    [Fact]
    public void Parse_AcceptedProwJobFields_KeptAsWritten()
    {
        var job = ProwYaml.Presubmit($"""
            name: pull-unit
            cluster: build01
            namespace: test-pods
            labels: {"{preset-dind-enabled: \"true\"}"}
            annotations: {"{testgrid-dashboards: sig-testing}"}
            path_alias: k8s.io/test-infra
            extra_refs: [{"{org: org, repo: tools, base_ref: main}"}]
            decoration_config: {"{timeout: 2h}"}
            clone_depth: 1
            hidden: false
            max_concurrency: 10
            run_before_merge: true
            {ProwYaml.Spec}
            """);

        Assert.Equal("build01", job.Cluster);
        Assert.Equal("test-pods", job.Namespace);
        Assert.Equal("true", job.Labels["preset-dind-enabled"]);
        Assert.Equal("sig-testing", job.Annotations["testgrid-dashboards"]);
        Assert.Equal("k8s.io/test-infra", job.Extra["path_alias"]);
        Assert.True(job.Extra.ContainsKey("extra_refs"));
        Assert.Equal(10, job.MaxConcurrency);
        Assert.True(job.RunBeforeMerge);
    }

    [Fact]
    public void Parse_TriggerAndRerunCommand_Kept()
    {
        var job = ProwYaml.Presubmit($"""
            name: pull-e2e
            trigger: "(?m)^/test (e2e|all-e2e),?(\\s+|$)"
            rerun_command: /test e2e
            {ProwYaml.Spec}
            """);

        Assert.True(job.TriggerMatches("/test all-e2e"));
        Assert.Equal("/test e2e", job.RerunCommand);
    }

    public static TheoryData<string, string[]> Invalid => new()
    {
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                alwyas_run: true
                agent: jenkins
            """,
            ["config.yaml:4:5: error: unknown field 'presubmits.org/repo[0].alwyas_run'"]
        },
        {
            """
            presubmits:
              org/repo:
              - always_run: true
                agent: jenkins
            """,
            ["config.yaml:3:5: error: missing required field 'presubmits.org/repo[0].name'"]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                run_if_changed: '^(pkg/|cmd/'
                agent: jenkins
            """,
            ["config.yaml:4:5: error: invalid regex '^(pkg/|cmd/' in run_if_changed: Invalid pattern '^(pkg/|cmd/' at offset 11. Not enough )'s."]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                agent: jenkins
                branches:
                - main
                - release-[0-9
            """,
            ["config.yaml:7:7: error: invalid regex 'release-[0-9' in branches[1]: Invalid pattern 'release-[0-9' at offset 12. Unterminated [] set."]
        },
        {
            """
            postsubmits:
              org/repo:
              - name: post-unit
                agent: jenkins
                skip_branches: ['(?<=x)main']
            """,
            ["config.yaml:5:21: error: invalid regex '(?<=x)main' in skip_branches[0]: RegexOptions.NonBacktracking is not supported in conjunction with expressions containing: 'positive lookahead (?= pattern) or positive lookbehind (?<= pattern)'."]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                agent: jenkins
                trigger: (?m)^/test (unit
                rerun_command: /test unit
            """,
            ["config.yaml:5:5: error: invalid regex '(?m)^/test (unit' in trigger: Invalid pattern '(?m)^/test (unit' at offset 16. Not enough )'s."]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                agent: jenkins
                run_if_changed: ^pkg/
                skip_if_only_changed: ^docs/
            """,
            ["config.yaml:6:5: error: run_if_changed and skip_if_only_changed are mutually exclusive: keep one"]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                agent: jenkins
                always_run: true
                run_if_changed: ^pkg/
            """,
            ["config.yaml:6:5: error: always_run: true and run_if_changed are mutually exclusive: remove always_run to run only for the files that match, or remove run_if_changed"]
        },
        {
            """
            postsubmits:
              org/repo:
              - name: post-unit
                agent: jenkins
                always_run: true
                skip_if_only_changed: \.md$
            """,
            ["config.yaml:6:5: error: always_run: true and skip_if_only_changed are mutually exclusive: remove always_run to run only for the files that match, or remove skip_if_only_changed"]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                agent: jenkins
                trigger: (?m)^/unit
            """,
            ["config.yaml:5:5: error: job 'pull-unit' sets only one of trigger and rerun_command: set both (the command must match the trigger) or neither"]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                agent: jenkins
                trigger: (?m)^/unit$
                rerun_command: /test unit
            """,
            ["config.yaml:6:5: error: rerun_command '/test unit' does not match the trigger '(?m)^/unit$': users could not start job 'pull-unit' with it"]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                agent: jenkins
              - name: pull-unit
                agent: jenkins
                branches: [main]
            """,
            ["config.yaml:5:5: error: duplicate presubmit 'pull-unit': also defined at config.yaml:3:5 for branches that overlap; rename one or give them branches that do not"]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                agent: jenkins
              - name: pull-unit-fast
                agent: jenkins
                context: pull-unit
            """,
            ["config.yaml:7:5: error: presubmits 'pull-unit' and 'pull-unit-fast' report to the same GitHub context 'pull-unit': give one another context"]
        },
        {
            """
            periodics:
            - name: ci-nightly
              agent: jenkins
            - name: ci-nightly
              agent: jenkins
              interval: 2h
            """,
            [
                "config.yaml:2:3: error: periodic 'ci-nightly' has no schedule: set one of cron (such as \"0 6 * * *\"), interval or minimum_interval (such as 2h)",
                "config.yaml:4:3: error: duplicate periodic 'ci-nightly': also defined at config.yaml:2:3; rename or remove one",
            ]
        },
        {
            """
            periodics:
            - name: ci-nightly
              agent: jenkins
              cron: "0 3 * * *"
              interval: 24h
            """,
            ["config.yaml:5:3: error: periodic 'ci-nightly' sets cron and interval: set exactly one of cron, interval and minimum_interval"]
        },
        {
            """
            periodics:
            - name: ci-nightly
              agent: jenkins
              cron: "0 25 * * *"
            """,
            ["config.yaml:4:3: error: invalid cron string '0 25 * * *': The given cron expression has an invalid format. Hours: Value must be a number between 0 and 23 (all inclusive). (write 5 fields: minute hour day-of-month month day-of-week, such as \"0 6 * * 1-5\")"]
        },
        {
            """
            periodics:
            - name: ci-nightly
              agent: jenkins
              interval: 1 day
            """,
            ["config.yaml:4:3: error: interval '1 day' is not a duration: write a Go duration such as 30m, 2h or 1h30m"]
        },
        {
            """
            periodics:
            - name: ci-nightly
              agent: jenkins
              interval: 2h
              always_run: true
            """,
            ["config.yaml:5:3: error: unknown field 'periodics[0].always_run'"]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-tekton
                agent: tekton-pipeline
            """,
            ["config.yaml:4:5: error: job 'pull-tekton' has agent tekton-pipeline, which needs a pipeline_run_spec"]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                always_run: true
            """,
            ["config.yaml:3:5: error: job 'pull-unit' has agent kubernetes, which needs a spec (a pod spec with containers)"]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                agent: tekton-pipeline
                spec: {containers: [{image: alpine}]}
                pipeline_run_spec: {pipelineRef: {name: unit}}
            """,
            [
                "config.yaml:5:5: error: job 'pull-unit' has a spec, which needs agent: kubernetes (found 'tekton-pipeline')",
                "config.yaml:6:39: warning: PipelineRun 'pull-unit' references Pipeline 'unit', which is not in this file: it must exist in the cluster the job runs on",
            ]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                pipeline_run_spec: {pipelineRef: {name: unit}}
                spec: {containers: [{image: alpine}]}
            """,
            [
                "config.yaml:4:5: error: job 'pull-unit' has a pipeline_run_spec, which needs agent: tekton-pipeline (found 'kubernetes')",
                "config.yaml:4:39: warning: PipelineRun 'pull-unit' references Pipeline 'unit', which is not in this file: it must exist in the cluster the job runs on",
            ]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-tekton
                agent: tekton-pipeline
                pipeline_run_spec:
                  pipelineRef: {nme: unit}
            """,
            [
                "config.yaml:6:20: error: PipelineRun 'pull-tekton': pipelineRef has no name: name the Pipeline to run",
                "config.yaml:6:21: error: unknown field 'presubmits.org/repo[0].pipeline_run_spec.pipelineRef.nme'",
            ]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-tekton
                agent: tekton-pipeline
                pipeline_run_spec:
                  pipelineSpec:
                    tasks:
                    - name: a
                      runAfter: [b]
                      taskSpec: {steps: [{image: alpine, script: "true"}]}
            """,
            ["config.yaml:9:22: error: pipeline task 'a' runs after 'b', which is not defined in tasks: fix the name or add the task"]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                spec:
                  containers:
                  - image: golang
                    comand: [make]
                  hostNetwork: true
            """,
            ["config.yaml:7:9: error: unknown field 'presubmits.org/repo[0].spec.containers[0].comand'"]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                spec:
                  containers:
                  - image: golang
                  - image: golang
            """,
            [
                "config.yaml:6:9: error: job 'pull-unit': every container needs a name when the pod has several",
                "config.yaml:7:9: error: job 'pull-unit' has 2 containers, which needs decorate: true (Prow runs several containers only with pod utilities)",
                "config.yaml:7:9: error: job 'pull-unit': every container needs a name when the pod has several",
            ]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                spec:
                  containers: [{command: [make]}]
            """,
            ["config.yaml:5:20: error: container 'presubmits.org/repo[0].spec.containers[0]' needs an image"]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull unit!
                agent: jenkins
                max_concurrency: -1
            """,
            [
                "config.yaml:3:5: error: job name 'pull unit!' is invalid: use letters, digits, '-', '.' and '_' only",
                "config.yaml:5:5: error: max_concurrency -1 must be 0 (no limit) or more",
            ]
        },
        {
            """
            presubmits:
              org/repo:
              - name: unit
                flake_retries: 4
                spec:
                  containers: [{image: alpine, command: [make]}]
            """,
            ["config.yaml:4:5: error: job 'unit': flake_retries 4 must be 0 (no automatic retry) to 3; a job that fails more often is broken, not flaky"]
        },
        {
            """
            presubmits:
              org/repo:
              - name: pull-unit
                agent: jenkins
                labels: {prow.k8s.io/type: presubmit, preset-dind: "true"}
            """,
            ["config.yaml:5:5: error: label prow.k8s.io/type is reserved for decoration: Prow sets it on every job's pod; remove it"]
        },
        {
            """
            presubmits:
              repo-without-org:
              - name: pull-unit
                agent: jenkins
            prsubmits: {}
            """,
            [
                "config.yaml:2:3: error: 'repo-without-org' in presubmits must be a repository as org/repo",
                "config.yaml:5:1: error: unknown field 'prsubmits'",
            ]
        },
        {
            """
            presubmits:
              org/repo:
                name: pull-unit
            """,
            ["config.yaml:3:5: error: field 'presubmits.org/repo' must be a list, not a mapping"]
        },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Parse_Invalid_EveryErrorAtItsPosition(string yaml, string[] expected)
    {
        var bag = new DiagnosticBag();

        var config = ProwConfig.Parse(ProwYaml.File, yaml, bag);

        Assert.Equal(expected, bag.Sorted().Select(d => d.ToString()));
        Assert.Null(config);
    }

    [Fact]
    public void Parse_UnknownAgentAndVersionedPipelineRunSpec_WarningsOnly()
    {
        var yaml = """
            presubmits:
              org/repo:
              - name: pull-custom
                agent: my-controller
              - name: pull-tekton
                agent: tekton-pipeline
                tekton_pipeline_run_spec:
                  v1beta1: {pipelineRef: {name: build}}
            """;

        Assert.Equal(
            [
                "config.yaml:4:5: warning: agent 'my-controller' is unknown and cannot be validated: Mothership runs kubernetes and tekton-pipeline jobs",
                "config.yaml:7:5: warning: tekton_pipeline_run_spec is kept but not checked: write the spec as pipeline_run_spec (tekton.dev/v1) to have it validated",
            ],
            ProwYaml.Problems(yaml));
        Assert.Equal(2, ProwYaml.Load(yaml).PresubmitsFor("org/repo").Length);
    }

    [Fact]
    public void Parse_SameNameOnDisjointBranches_Valid()
    {
        var config = ProwYaml.Load("""
            presubmits:
              org/repo:
              - name: pull-unit
                agent: jenkins
                branches: [main]
              - name: pull-unit
                agent: jenkins
                branches: [release-1.0]
            """);

        Assert.Equal(2, config.PresubmitsFor("org/repo").Length);
    }

    [Fact]
    public void Parse_MalformedYaml_ErrorAtTheFault()
    {
        var problems = ProwYaml.Problems("presubmits:\n  org/repo: [\n");

        Assert.Single(problems);
        Assert.StartsWith("config.yaml:", problems[0], StringComparison.Ordinal);
        Assert.Contains("malformed YAML", problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_Error()
    {
        var bag = new DiagnosticBag();

        Assert.Null(ProwConfig.Load("/nonexistent/config.yaml", bag));
        Assert.StartsWith("/nonexistent/config.yaml: error: cannot read file", Assert.Single(bag.Items).ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("presubmits: {}\n", true)]
    [InlineData("periodics: []\n", true)]
    [InlineData("tide: {}\nplank: {}\n", true)]
    [InlineData("apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: p}\n", false)]
    [InlineData("presubmits: {}\n---\npostsubmits: {}\n", false)]
    [InlineData("other: 1\n", false)]
    [InlineData("presubmits: [\n", false)]
    public void IsProwConfig_TopLevelKeys_Detected(string text, bool expected) =>
        Assert.Equal(expected, ProwConfig.IsProwConfig(text));
}
