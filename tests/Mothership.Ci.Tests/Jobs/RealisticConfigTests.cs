using Mothership.Ci.Jobs;
using Mothership.Model.Diagnostics;

namespace Mothership.Ci.Tests.Jobs;

/// <summary>A config in the style of kubernetes/test-infra's: several repositories, release branches, presets, decoration, periodics and a Tekton job.</summary>
public sealed class RealisticConfigTests
{
    private const string Config = """
        prowjob_namespace: prow
        pod_namespace: test-pods
        log_level: info
        decorate_all_jobs: true

        plank:
          job_url_prefix_config:
            "*": https://prow.example.com/view/
          default_decoration_config_entries:
          - config:
              timeout: 2h
              grace_period: 15s
              utility_images:
                clonerefs: gcr.io/k8s-prow/clonerefs:v20240101-abcdef
                initupload: gcr.io/k8s-prow/initupload:v20240101-abcdef
                entrypoint: gcr.io/k8s-prow/entrypoint:v20240101-abcdef
                sidecar: gcr.io/k8s-prow/sidecar:v20240101-abcdef
              gcs_configuration:
                bucket: example-prow-logs
                path_strategy: explicit

        tide:
          queries:
          - repos: [kubernetes/kubernetes, kubernetes/test-infra]
            labels: [lgtm, approved, "cncf-cla: yes"]
            missingLabels: [do-not-merge/hold, needs-rebase]

        presets:
        - labels:
            preset-service-account: "true"
          env:
          - name: GOOGLE_APPLICATION_CREDENTIALS
            value: /etc/service-account/service-account.json
          volumes:
          - name: service
            secret:
              secretName: service-account
          volumeMounts:
          - name: service
            mountPath: /etc/service-account
            readOnly: true

        presubmits:
          kubernetes/kubernetes:
          - name: pull-kubernetes-unit
            cluster: k8s-infra-prow-build
            always_run: true
            decorate: true
            path_alias: k8s.io/kubernetes
            branches:
            - ^master$
            annotations:
              testgrid-dashboards: presubmits-kubernetes-blocking
              testgrid-tab-name: pull-kubernetes-unit
            spec:
              containers:
              - image: gcr.io/k8s-staging-test-infra/kubekins-e2e:v20240101-master
                command: [make, test]
                env:
                - name: KUBE_TIMEOUT
                  value: --timeout=240s
                resources:
                  limits: {cpu: 4, memory: 36Gi}
                  requests: {cpu: 4, memory: 36Gi}
          - name: pull-kubernetes-unit
            cluster: k8s-infra-prow-build
            always_run: true
            decorate: true
            path_alias: k8s.io/kubernetes
            branches:
            - ^release-1\.\d+$
            spec:
              containers:
              - image: gcr.io/k8s-staging-test-infra/kubekins-e2e:v20240101-1.30
                command: [make, test]
          - name: pull-kubernetes-verify
            always_run: true
            decorate: true
            labels:
              preset-service-account: "true"
            spec:
              containers:
              - image: gcr.io/k8s-staging-test-infra/kubekins-e2e:v20240101-master
                command: [runner.sh]
                args: [./hack/jenkins/verify-dockerized.sh]
                securityContext: {privileged: true}
          - name: pull-kubernetes-e2e-kind
            optional: true
            decorate: true
            run_if_changed: '^(test/e2e/|pkg/|cmd/|staging/src/k8s.io/)'
            skip_branches:
            - ^release-1\.2[0-8]$
            max_concurrency: 50
            extra_refs:
            - org: kubernetes-sigs
              repo: kind
              base_ref: main
              path_alias: sigs.k8s.io/kind
            spec:
              containers:
              - name: test
                image: gcr.io/k8s-staging-test-infra/krte:v20240101-master
                command: [wrapper.sh, bash, -c]
                args:
                - curl -sSL https://kind.sigs.k8s.io/dl/latest/linux-amd64.tgz | tar xvfz - -C "${PATH%%:*}/" && e2e-k8s.sh
              - name: docker
                image: docker:dind
                securityContext: {privileged: true}
          - name: pull-kubernetes-typecheck
            decorate: true
            skip_if_only_changed: '^docs/|\.md$|(^|/)OWNERS$'
            spec:
              containers:
              - image: golang:1.22
                command: [make, verify, WHAT=typecheck]
          - name: pull-kubernetes-e2e-gce-manual
            decorate: true
            skip_report: true
            spec:
              containers:
              - image: gcr.io/k8s-staging-test-infra/kubekins-e2e:v20240101-master
                command: [runner.sh, kubetest2]
          kubernetes/test-infra:
          - name: pull-test-infra-unit-test
            always_run: true
            decorate: true
            spec:
              containers:
              - image: golang:1.22
                command: [make, unit]
          - name: pull-test-infra-tekton
            agent: tekton-pipeline
            run_if_changed: '^config/jobs/'
            pipeline_run_spec:
              pipelineSpec:
                params:
                - name: path
                  default: config/jobs
                tasks:
                - name: checkconfig
                  params:
                  - name: path
                    value: $(params.path)
                  taskSpec:
                    params:
                    - name: path
                    steps:
                    - name: check
                      image: gcr.io/k8s-prow/checkconfig:v20240101-abcdef
                      args: [--config-path=config/prow/config.yaml, --job-config-path=$(params.path)]

        postsubmits:
          kubernetes/test-infra:
          - name: post-test-infra-push-prow
            cluster: test-infra-trusted
            decorate: true
            run_if_changed: '^(prow|ghproxy|label_sync)/'
            branches:
            - ^master$
            max_concurrency: 1
            annotations:
              testgrid-alert-email: prow-oncall@example.com
            spec:
              serviceAccountName: pusher
              containers:
              - image: gcr.io/k8s-staging-test-infra/image-builder:v20240101-abcdef
                command: [/run.sh]
                args: [--scratch-bucket=gs://k8s-infra-prow-scratch, prow]
          - name: post-test-infra-upload-testgrid-config
            cluster: test-infra-trusted
            decorate: true
            branches: [^master$]
            spec:
              containers:
              - image: gcr.io/k8s-staging-test-infra/configurator:v20240101-abcdef
                command: [configurator]

        periodics:
        - name: ci-kubernetes-unit
          interval: 1h
          decorate: true
          extra_refs:
          - org: kubernetes
            repo: kubernetes
            base_ref: master
            path_alias: k8s.io/kubernetes
          annotations:
            testgrid-dashboards: sig-release-master-blocking
          spec:
            containers:
            - image: gcr.io/k8s-staging-test-infra/kubekins-e2e:v20240101-master
              command: [make, test]
        - name: ci-test-infra-branchprotector
          cron: "54 * * * *"
          cluster: test-infra-trusted
          decorate: true
          tags: [branchprotector]
          spec:
            containers:
            - image: gcr.io/k8s-prow/branchprotector:v20240101-abcdef
              command: [branchprotector]
              args: [--config-path=config/prow/config.yaml, --confirm]
        - name: ci-kubernetes-e2e-gce-scale
          minimum_interval: 24h
          decorate: true
          spec:
            containers:
            - image: gcr.io/k8s-staging-test-infra/kubekins-e2e:v20240101-master
              command: [runner.sh]
            nodeSelector: {pool: scale}
            tolerations: [{key: dedicated, operator: Equal, value: scale, effect: NoSchedule}]
        """;

    private static readonly ProwConfig Loaded = ProwYaml.Load(Config);

    [Fact]
    public void Load_EveryJobOfEveryRepository()
    {
        Assert.Equal(["kubernetes/kubernetes", "kubernetes/test-infra"], Loaded.Presubmits.Keys);
        Assert.Equal(6, Loaded.PresubmitsFor("kubernetes/kubernetes").Length);
        Assert.Equal(2, Loaded.PresubmitsFor("kubernetes/test-infra").Length);
        Assert.Equal(["post-test-infra-push-prow", "post-test-infra-upload-testgrid-config"], Loaded.PostsubmitsFor("kubernetes/test-infra").Select(j => j.Name));
        Assert.Equal(["ci-kubernetes-unit", "ci-test-infra-branchprotector", "ci-kubernetes-e2e-gce-scale"], Loaded.Periodics.Select(j => j.Name));
    }

    [Fact]
    public void Load_NoWarnings()
    {
        var bag = new DiagnosticBag();

        ProwConfig.Parse(ProwYaml.File, Config, bag);

        Assert.Empty(bag.Items);
    }

    [Theory]
    [InlineData("master", new[] { "pull-kubernetes-unit", "pull-kubernetes-verify", "pull-kubernetes-e2e-kind", "pull-kubernetes-typecheck" }, new[] { "pkg/kubelet/kubelet.go" })]
    [InlineData("master", new[] { "pull-kubernetes-unit", "pull-kubernetes-verify" }, new[] { "docs/README.md", "OWNERS" })]
    [InlineData("release-1.30", new[] { "pull-kubernetes-unit", "pull-kubernetes-verify", "pull-kubernetes-e2e-kind", "pull-kubernetes-typecheck" }, new[] { "pkg/kubelet/kubelet.go" })]
    [InlineData("release-1.28", new[] { "pull-kubernetes-unit", "pull-kubernetes-verify", "pull-kubernetes-typecheck" }, new[] { "pkg/kubelet/kubelet.go" })]
    [InlineData("feature-x", new[] { "pull-kubernetes-verify", "pull-kubernetes-e2e-kind", "pull-kubernetes-typecheck" }, new[] { "test/e2e/node/pods.go" })]
    public void TestAll_KubernetesPullRequest(string branch, string[] expected, string[] changes) =>
        Assert.Equal(expected, TriggerCommands.Triggered(Loaded.PresubmitsFor("kubernetes/kubernetes"), "/test all", branch, changes).Select(j => j.Name));

    [Fact]
    public void TestName_ReleaseBranchPicksItsOwnDefinition()
    {
        var started = Assert.Single(TriggerCommands.Triggered(Loaded.PresubmitsFor("kubernetes/kubernetes"), "/test pull-kubernetes-unit", "release-1.29", []));

        Assert.EndsWith("1.30", started.PodSpec!.TaskSpec!.Steps[0].Image, StringComparison.Ordinal);
    }

    [Fact]
    public void Available_KubernetesOnMaster()
    {
        var available = TriggerCommands.Available(Loaded.PresubmitsFor("kubernetes/kubernetes"), "master", ["pkg/kubelet/kubelet.go"]);

        Assert.Equal(["/test pull-kubernetes-e2e-gce-manual", "/test pull-kubernetes-typecheck", "/test pull-kubernetes-unit", "/test pull-kubernetes-verify"], available.RequiredCommands);
        Assert.Equal(["/test pull-kubernetes-e2e-kind"], available.OptionalCommands);
    }

    [Fact]
    public void Postsubmits_PushToMaster()
    {
        var jobs = Loaded.PostsubmitsFor("kubernetes/test-infra");

        Assert.Equal(["post-test-infra-push-prow", "post-test-infra-upload-testgrid-config"], jobs.Where(j => j.ShouldRun("master", ["prow/cmd/hook/main.go"])).Select(j => j.Name));
        Assert.Equal(["post-test-infra-upload-testgrid-config"], jobs.Where(j => j.ShouldRun("master", ["config/testgrids/config.yaml"])).Select(j => j.Name));
        Assert.Empty(jobs.Where(j => j.ShouldRun("release-1.0", ["prow/cmd/hook/main.go"])));
    }

    [Fact]
    public void Decorated_SeveralContainers_StepsInOrder()
    {
        var kind = Loaded.PresubmitsFor("kubernetes/kubernetes").Single(j => j.Name == "pull-kubernetes-e2e-kind");

        Assert.Equal(["test", "docker"], kind.PodSpec!.TaskSpec!.Steps.Select(s => s.Name));
        Assert.True(kind.Changes.CouldRun);
        Assert.Equal(50, kind.MaxConcurrency);
    }

    [Fact]
    public void Periodics_NextTimes()
    {
        var now = new DateTimeOffset(2026, 5, 1, 10, 20, 0, TimeSpan.Zero);

        Assert.Equal(now.AddHours(1), Loaded.Periodics[0].NextAfter(now));
        Assert.Equal(new DateTimeOffset(2026, 5, 1, 10, 54, 0, TimeSpan.Zero), Loaded.Periodics[1].NextAfter(now));
        Assert.Equal(now.AddDays(1), Loaded.Periodics[2].NextAfter(now));
        Assert.True(Loaded.Periodics[2].PodSpec!.PodTemplate!.PodFields.ContainsKey("tolerations"));
    }
}
