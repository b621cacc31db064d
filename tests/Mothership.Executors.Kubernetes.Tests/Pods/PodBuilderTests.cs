using System.Collections.Immutable;
using k8s;
using Mothership.Engine.Execution;
using Mothership.Engine.Resolution;
using Mothership.Executors.Kubernetes.Pods;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Testing.Kubernetes.Schemas;

namespace Mothership.Executors.Kubernetes.Tests.Pods;

/// <summary>
/// The pods of representative TaskRuns, compared with golden files in <c>Pods/golden/</c>. After a
/// deliberate change, rewrite them with <c>MSHIP_UPDATE_GOLDEN=1</c> (each rewritten file fails its
/// test; never on CI) and review the diff. Every pod built here is also checked against
/// Kubernetes' OpenAPI schemas (<see cref="KubernetesSchemas"/>).
/// </summary>
public sealed class PodBuilderTests
{
    private static string Golden(string name) =>
        Path.Combine(Fixtures.RepositoryRoot(), "tests", "Mothership.Executors.Kubernetes.Tests", "Pods", "golden", name + ".json");

    /// <summary>The request the engine would hand the executor for the one Task in <paramref name="yaml"/>.</summary>
    internal static TaskRunRequest Request(string yaml, ImmutableArray<WorkspaceBinding> workspaces = default, ImmutableArray<Param> parameters = default, int retry = 0, TimeSpan? timeout = null, PodTemplate? podTemplate = null)
    {
        var bag = new DiagnosticBag();
        var resources = new ResourceSet { All = [.. ResourceLoader.Load("task.yaml", yaml, bag)] };
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        var task = resources.All.OfType<TektonTask>().Single();
        return TaskRunBuilder.Build(
            new TaskRunInput
            {
                TaskRunName = $"{task.Metadata.Name}-run",
                TaskRunUid = "00000000-0000-0000-0000-000000000001",
                TaskName = task.Metadata.Name,
                Spec = task.Spec,
                Params = parameters.IsDefault ? [] : parameters,
                Workspaces = workspaces.IsDefault ? [] : workspaces,
                PipelineRunName = "release-run",
                PipelineRunUid = "00000000-0000-0000-0000-000000000002",
                PipelineTaskName = task.Metadata.Name,
                RetryCount = retry,
                Timeout = timeout,
                Labels = ImmutableSortedDictionary<string, string>.Empty.Add("mothership.io/site", "dev-kr1"),
                PodTemplate = podTemplate,
            },
            resources);
    }

    /// <summary>A Task whose run's account brings an SSH key for git and a docker login: Tekton's creds-init.</summary>
    internal const string CredentialsYaml = """
        apiVersion: v1
        kind: Secret
        type: kubernetes.io/ssh-auth
        metadata:
          name: deploy-key
          annotations: {tekton.dev/git-0: "git.example.org:2222"}
        stringData: {ssh-privatekey: "KEY-MATERIAL", known_hosts: "git.example.org ssh-ed25519 AAAA"}
        ---
        apiVersion: v1
        kind: Secret
        type: kubernetes.io/basic-auth
        metadata:
          name: registry
          annotations: {tekton.dev/docker-0: "registry.example.org"}
        stringData: {username: robot, password: "p@ss"}
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: builder}
        secrets: [{name: deploy-key}, {name: registry}]
        ---
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: fetch}
        spec:
          steps:
            - name: clone
              image: alpine/git
              script: |
                cat $HOME/.ssh/config
                test -f $(credentials.path)/.docker/config.json
        """;

    /// <summary>
    /// <see cref="PodBuilder.Build"/>, with what it built checked against Kubernetes' OpenAPI
    /// schemas as the API server would check it: the pod, its claims and its credentials Secret.
    /// </summary>
    private static PodPlan Build(TaskRunRequest request, KubernetesExecutorOptions options, ImmutableArray<CredentialFile> credentials = default)
    {
        var plan = PodBuilder.Build(request, options, credentials);
        KubernetesSchemas.AssertValid(plan.Pod);
        foreach (var claim in plan.Claims)
        {
            KubernetesSchemas.AssertValid(claim);
        }

        if (plan.Credentials is { } secret)
        {
            KubernetesSchemas.AssertValid(secret);
        }

        return plan;
    }

    private static void AssertGolden(string name, TaskRunRequest request, System.Collections.Immutable.ImmutableArray<CredentialFile> credentials = default)
    {
        var plan = Build(request, new KubernetesExecutorOptions { Namespace = "runs" }, credentials);
        var json = System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(plan.Pod))!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        GoldenFile.AssertMatches(Golden(name), json);
    }

    [Fact]
    public void Build_PodTemplate_SchedulingAndPodFieldsTypedEnvWins_MatchesGolden()
    {
        var bag = new DiagnosticBag();
        var run = (TaskRun)ResourceLoader.Load("run.yaml", """
            apiVersion: tekton.dev/v1
            kind: TaskRun
            metadata: {name: on-gpu}
            spec:
              taskRef: {name: train}
              podTemplate:
                nodeSelector: {accelerator: "true", pool: gpu}
                tolerations:
                  - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule, tolerationSeconds: 3600}
                affinity:
                  nodeAffinity:
                    preferredDuringSchedulingIgnoredDuringExecution:
                      - weight: 10
                        preference: {matchExpressions: [{key: zone, operator: In, values: [kr1-a]}]}
                securityContext: {runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000}
                priorityClassName: batch
                imagePullSecrets: [{name: registry}]
                hostAliases: [{ip: 10.0.0.1, hostnames: [mirror.local]}]
                env: [{name: PROXY, value: "http://proxy:3128"}]
                volumes: [{name: cache, emptyDir: {}}]
            """, bag).Single();
        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        var request = Request("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: train}
            spec:
              steps:
                - name: fit
                  image: python:3.12
                  env: [{name: PROXY, value: step-own}]
                  volumeMounts: [{name: cache, mountPath: /cache}]
                  script: python fit.py
            """, podTemplate: run.Spec.PodTemplate);
        Assert.Equal("http://proxy:3128", Assert.Single(request.Spec.Steps[0].Env).Value);
        AssertGolden("pod-template", request);
    }

    [Fact]
    public void Build_AccountWithGitAndDockerCredentials_CopiesCredsInitFilesFromASecret_MatchesGolden()
    {
        var request = Request(CredentialsYaml) with { ServiceAccountName = "builder" };
        var files = CredentialFiles.Build(request, out _, out var error)!.Value;
        Assert.Null(error);
        Assert.Equal([".ssh/id_deploy-key", ".ssh/config", ".ssh/known_hosts", ".docker/config.json"], files.Select(f => f.Path));

        var plan = Build(request, new KubernetesExecutorOptions { Namespace = "runs" }, files);

        // The secret material travels in the Secret, never in the pod's spec.
        var secret = plan.Credentials!;
        Assert.Equal($"{plan.Pod.Metadata.Name}-creds", secret.Metadata.Name);
        Assert.Equal("KEY-MATERIAL", System.Text.Encoding.UTF8.GetString(secret.Data["file-0"]));
        Assert.Equal(plan.Pod.Metadata.Labels[Mothership.Model.Tekton.Vocabulary.MothershipLabels.RunUid], secret.Metadata.Labels[Mothership.Model.Tekton.Vocabulary.MothershipLabels.RunUid]);
        var podJson = KubernetesJson.Serialize(plan.Pod);
        Assert.DoesNotContain("KEY-MATERIAL", podJson, StringComparison.Ordinal);
        Assert.DoesNotContain("robot", podJson, StringComparison.Ordinal);
        AssertGolden("credentials", request, files);
    }

    [Fact]
    public void Build_ScriptStepsWithParamsAndResults_MatchesGolden() => AssertGolden("script-steps", Request("""
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: build}
        spec:
          params:
            - {name: target, default: linux}
          results:
            - {name: digest}
          steps:
            - name: compile
              image: docker.io/library/golang:1.23
              script: |
                go build -o /workspace/app ./... # for $(params.target)
            - name: digest
              image: docker.io/library/alpine:3.20
              script: |
                #!/usr/bin/env sh
                sha256sum /workspace/app | cut -d' ' -f1 | tr -d '\n' > $(results.digest.path)
        """));

    [Fact]
    public void Build_WorkspacesOfEveryKind_MatchesGolden() => AssertGolden("workspaces", Request(
        """
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: deploy}
        spec:
          workspaces:
            - {name: source}
            - {name: cache, mountPath: /cache}
            - {name: config, readOnly: true}
            - {name: creds}
            - {name: optional, optional: true}
          steps:
            - name: apply
              image: docker.io/alpine/k8s:1.31.2
              workingDir: $(workspaces.source.path)
              command: [kubectl, apply, -f, $(workspaces.config.path)/app.yaml]
        """,
        workspaces:
        [
            new WorkspaceBinding { Name = "source", Source = new VolumeSource { ClaimName = "source-pvc" }, SubPath = "repo" },
            new WorkspaceBinding { Name = "cache", Source = new VolumeSource { EmptyDir = true } },
            new WorkspaceBinding { Name = "config", Source = new VolumeSource { ConfigMapName = "app-config", Items = [new KeyToPath("app", "app.yaml")] } },
            new WorkspaceBinding { Name = "creds", Source = new VolumeSource { SecretName = "registry-creds" } },
        ]));

    [Fact]
    public void Build_SidecarOnErrorStepTemplateAndResources_MatchesGolden() => AssertGolden("sidecar-onerror-template", Request(
        """
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: integration}
        spec:
          stepTemplate:
            env:
              - {name: LOG_LEVEL, value: debug}
            computeResources:
              requests: {cpu: 250m, memory: 256Mi}
          sidecars:
            - name: db
              image: docker.io/library/postgres:15
              env:
                - name: POSTGRES_PASSWORD
                  valueFrom: {secretKeyRef: {name: db, key: password}}
          steps:
            - name: lint
              image: docker.io/library/python:3.12
              onError: continue
              command: [ruff, check, .]
            - name: test
              image: docker.io/library/python:3.12
              securityContext: {runAsUser: 1000, runAsNonRoot: true}
              script: |
                echo "lint exited $(cat $(steps.lint.exitCode.path))"
                pytest -q
        """,
        retry: 2,
        timeout: TimeSpan.FromMinutes(10)));

    [Fact]
    public void Build_SharedAndIsolatedWorkspacesInStepsAndSidecars_MatchesGolden() => AssertGolden("sidecar-workspaces", Request(
        """
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: signals}
        spec:
          workspaces:
            - {name: shared}
            - {name: signals}
            - {name: creds, readOnly: true}
          sidecars:
            - name: responder
              image: docker.io/library/alpine:3.20
              workspaces: [{name: signals}]
              command: [sleep, infinity]
            - name: explicit
              image: docker.io/library/alpine:3.20
              volumeMounts:
                - {name: $(workspaces.shared.volume), mountPath: $(workspaces.shared.path), readOnly: true}
              command: [sleep, infinity]
          steps:
            - name: signal
              image: docker.io/library/alpine:3.20
              workspaces: [{name: signals}, {name: creds, mountPath: /creds}]
              command: [touch, $(workspaces.signals.path)/start]
            - name: other
              image: docker.io/library/alpine:3.20
              command: [ls, $(workspaces.shared.path)]
        """,
        workspaces:
        [
            new WorkspaceBinding { Name = "shared", Source = new VolumeSource { EmptyDir = true } },
            new WorkspaceBinding { Name = "signals", Source = new VolumeSource { EmptyDir = true } },
            new WorkspaceBinding { Name = "creds", Source = new VolumeSource { SecretName = "ssh" } },
        ]));

    [Fact]
    public void Build_IsolatedWorkspace_OnlyInTheStepsAndSidecarsThatListIt()
    {
        var plan = Build(Request("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              workspaces: [{name: shared}, {name: signals}]
              sidecars:
                - {name: plain, image: alpine, command: [sleep, infinity]}
                - {name: listed, image: alpine, command: [sleep, infinity], workspaces: [{name: signals, mountPath: /signals}]}
              steps:
                - {name: listed, image: alpine, command: ["true"], workspaces: [{name: signals}]}
                - {name: plain, image: alpine, command: ["true"]}
            """,
            workspaces:
            [
                new WorkspaceBinding { Name = "shared", Source = new VolumeSource { EmptyDir = true } },
                new WorkspaceBinding { Name = "signals", Source = new VolumeSource { EmptyDir = true } },
            ]), new KubernetesExecutorOptions());

        string[] Workspaces(string container) => [.. plan.Pod.Spec.InitContainers.Single(c => c.Name == container).VolumeMounts.Where(m => m.Name.StartsWith("ws-", StringComparison.Ordinal)).Select(m => $"{m.Name}:{m.MountPath}")];
        Assert.Equal(["ws-shared:/workspace/shared"], Workspaces("sidecar-plain"));
        Assert.Equal(["ws-shared:/workspace/shared", "ws-signals:/signals"], Workspaces("sidecar-listed"));
        Assert.Equal(["ws-shared:/workspace/shared", "ws-signals:/workspace/signals"], Workspaces("step-listed"));
        Assert.Equal(["ws-shared:/workspace/shared"], Workspaces("step-plain"));
    }

    [Fact]
    public void Build_SidecarReadinessProbe_IsAlsoItsStartupProbeUnlessItHasOne()
    {
        var plan = Build(Request("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              sidecars:
                - name: ready
                  image: redis
                  command: [redis-server]
                  readinessProbe: {tcpSocket: {port: 6379}, periodSeconds: 2, failureThreshold: 30}
                - name: both
                  image: alpine
                  command: [sleep, infinity]
                  readinessProbe: {exec: {command: [test, -f, /ready]}}
                  startupProbe: {exec: {command: [test, -f, /started]}, timeoutSeconds: 10}
                - {name: none, image: alpine, command: [sleep, infinity]}
              steps:
                - {name: s, image: alpine, command: ["true"]}
            """), new KubernetesExecutorOptions());

        var ready = plan.Pod.Spec.InitContainers.Single(c => c.Name == "sidecar-ready");
        Assert.Equal("6379", ready.StartupProbe.TcpSocket.Port.Value);
        Assert.Equal((2, 30), (ready.StartupProbe.PeriodSeconds, ready.StartupProbe.FailureThreshold));
        Assert.Equal(KubernetesJson.Serialize(ready.ReadinessProbe), KubernetesJson.Serialize(ready.StartupProbe));
        var both = plan.Pod.Spec.InitContainers.Single(c => c.Name == "sidecar-both");
        Assert.Equal(["test", "-f", "/started"], both.StartupProbe.Exec.Command);
        Assert.Equal(10, both.StartupProbe.TimeoutSeconds);
        Assert.Equal(["test", "-f", "/ready"], both.ReadinessProbe.Exec.Command);
        var none = plan.Pod.Spec.InitContainers.Single(c => c.Name == "sidecar-none");
        Assert.Null(none.StartupProbe);
        Assert.Null(none.ReadinessProbe);
    }

    [Fact]
    public void Build_StepResultsReadByLaterSteps_MatchesGolden() => AssertGolden("step-results", Request(
        """
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: images}
        spec:
          results:
            - {name: digest, value: $(steps.build.results.digest)}
          steps:
            - name: build
              image: docker.io/library/alpine:3.20
              results:
                - {name: digest}
                - {name: tags, type: array}
              script: |
                printf sha256:1 > $(step.results.digest.path)
                printf '["a", "b"]' > $(step.results.tags.path)
            - name: push
              image: docker.io/library/alpine:3.20
              env:
                - {name: DIGEST, value: $(steps.build.results.digest)}
              command: [push]
              args: ["$(steps.build.results.tags[*])", --first, "$(steps.build.results.tags[0])"]
            - name: announce
              image: docker.io/library/alpine:3.20
              onError: continue
              script: echo "pushed $(steps.build.results.digest)"
        """));

    [Fact]
    public void Build_ProjectedWorkspace_IsAProjectedVolumeOfItsSources()
    {
        var plan = Build(Request(
            "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  workspaces: [{name: store}]\n  steps:\n    - {name: s, image: alpine, command: [ls, $(workspaces.store.path)]}\n",
            workspaces:
            [
                new WorkspaceBinding
                {
                    Name = "store",
                    Source = new VolumeSource { Sources = [new VolumeSource { SecretName = "password" }, new VolumeSource { ConfigMapName = "recipes", Items = [new KeyToPath("brownies", "recipe.txt")] }] },
                },
            ]), new KubernetesExecutorOptions());

        var projected = plan.Pod.Spec.Volumes.Single(v => v.Name == "ws-store").Projected;
        Assert.Equal("password", projected.Sources[0].Secret.Name);
        Assert.Null(projected.Sources[0].ConfigMap);
        Assert.Equal("recipes", projected.Sources[1].ConfigMap.Name);
        Assert.Equal(("brownies", "recipe.txt"), (projected.Sources[1].ConfigMap.Items[0].Key, projected.Sources[1].ConfigMap.Items[0].Path));
    }

    [Fact]
    public void PodName_LongTaskRun_IsShortenedWithAHash()
    {
        var request = Request("apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps:\n    - {name: s, image: alpine, command: [true]}\n") with
        {
            TaskRunName = new string('a', 70),
        };

        var name = PodBuilder.PodName(request);

        Assert.Equal(63, name.Length);
        Assert.NotEqual(name, PodBuilder.PodName(request with { RetryCount = 1 }));
    }

    [Fact]
    public void Build_StepsRunAsOrderedInitContainers_AfterPrepareAndSidecars()
    {
        var plan = Build(Request("""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              sidecars:
                - {name: cache, image: redis, command: [redis-server]}
              steps:
                - {name: one, image: alpine, command: ["true"]}
                - {name: two, image: alpine, script: "echo two"}
            """), new KubernetesExecutorOptions());

        Assert.Equal(["prepare", "sidecar-cache", "step-one", "step-two"], plan.Pod.Spec.InitContainers.Select(c => c.Name));
        Assert.Equal("Always", plan.Pod.Spec.InitContainers[1].RestartPolicy);
        Assert.Null(plan.Pod.Spec.InitContainers[2].RestartPolicy);
        Assert.Equal(["/tekton/scripts/step-two"], plan.Pod.Spec.InitContainers[3].Command);
        Assert.Equal(PodPlan.ResultsContainer, Assert.Single(plan.Pod.Spec.Containers).Name);
        Assert.Equal("Never", plan.Pod.Spec.RestartPolicy);
    }
}
