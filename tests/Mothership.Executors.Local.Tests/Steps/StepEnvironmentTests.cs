using Mothership.Engine.Execution;
using Mothership.Executors.Local.Steps;
using static Mothership.Executors.Local.Tests.TaskRequests;

namespace Mothership.Executors.Local.Tests.Steps;

public sealed class StepEnvironmentTests
{
    private const string Objects = """
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {LEVEL: debug, COLOR: blue}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: creds}
        stringData: {TOKEN: s3cr3t-token, USER: robot}
        """;

    private static TaskRunRequest Task(string step) => Request($$"""
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: t}
        spec:
          steps:
            - name: s
              script: env
        {{step}}
        {{Objects}}
        """, name: "build-run-compile", uid: "uid-7", retry: 2) with
    {
        Labels = System.Collections.Immutable.ImmutableSortedDictionary<string, string>.Empty.Add("app", "shop"),
    };

    private static Dictionary<string, string> Build(TaskRunRequest request, SecretMasker? masker = null) =>
        StepEnvironment.Build(request, request.Spec.Steps[0], "step-s", "/attempt/home", masker ?? new SecretMasker());

    [Fact]
    public void Build_NoEnv_HostBasicsHomeAndTheAttemptMarker()
    {
        var env = Build(Task(""));

        Assert.Equal("/attempt/home", env["HOME"]);
        Assert.Equal(Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", env["PATH"]);
        Assert.Equal("uid-7/2", env["MOTHERSHIP_ATTEMPT"]);
        // Nothing else of the host leaks in (a pod would not have it either).
        Assert.Empty(env.Keys.Except(["HOME", "PATH", "LANG", "TERM", "TZ", "MOTHERSHIP_ATTEMPT"]));
    }

    [Fact]
    public void Build_EnvFromThenEnv_EnvWinsAndPrefixesApply()
    {
        var env = Build(Task("""
                  envFrom:
                    - configMapRef: {name: settings}
                    - prefix: S_
                      secretRef: {name: creds}
                  env:
                    - {name: LEVEL, value: info}
                    - {name: EMPTY}
            """));

        Assert.Equal("info", env["LEVEL"]);
        Assert.Equal("blue", env["COLOR"]);
        Assert.Equal("s3cr3t-token", env["S_TOKEN"]);
        Assert.Equal("robot", env["S_USER"]);
        Assert.Equal("", env["EMPTY"]);
    }

    [Fact]
    public void Build_SecretValues_GoToTheMaskerConfigMapValuesDoNot()
    {
        var masker = new SecretMasker();

        Build(Task("""
                  envFrom:
                    - secretRef: {name: creds}
                  env:
                    - name: COLOR
                      valueFrom: {configMapKeyRef: {name: settings, key: COLOR}}
            """), masker);

        Assert.Equal("token=*** user=*** color=blue", masker.Mask("token=s3cr3t-token user=robot color=blue"));
    }

    [Fact]
    public void Build_KeyRefs_ValuesFromConfigMapAndSecret()
    {
        var masker = new SecretMasker();

        var env = Build(Task("""
                  env:
                    - name: LEVEL
                      valueFrom: {configMapKeyRef: {name: settings, key: LEVEL}}
                    - name: TOKEN
                      valueFrom: {secretKeyRef: {name: creds, key: TOKEN}}
            """), masker);

        Assert.Equal("debug", env["LEVEL"]);
        Assert.Equal("s3cr3t-token", env["TOKEN"]);
        Assert.Equal("***", masker.Mask("s3cr3t-token"));
    }

    [Fact]
    public void Build_OptionalMissing_LeftOut()
    {
        var env = Build(Task("""
                  envFrom:
                    - secretRef: {name: absent, optional: true}
                  env:
                    - name: A
                      valueFrom: {secretKeyRef: {name: creds, key: NOPE, optional: true}}
                    - name: B
                      valueFrom: {configMapKeyRef: {name: absent, key: X, optional: true}}
            """));

        Assert.False(env.ContainsKey("A"));
        Assert.False(env.ContainsKey("B"));
    }

    [Theory]
    [InlineData("envFrom:\n          - secretRef: {name: absent}", "\"step-s\": secret \"absent\" not found")]
    [InlineData("envFrom:\n          - configMapRef: {name: absent}", "\"step-s\": configmap \"absent\" not found")]
    [InlineData("env:\n          - name: A\n            valueFrom: {secretKeyRef: {name: absent, key: K}}", "\"step-s\": secret \"absent\" not found")]
    [InlineData("env:\n          - name: A\n            valueFrom: {secretKeyRef: {name: creds, key: NOPE}}", "\"step-s\": couldn't find key NOPE in Secret default/creds")]
    [InlineData("env:\n          - name: A\n            valueFrom: {configMapKeyRef: {name: settings, key: NOPE}}", "\"step-s\": couldn't find key NOPE in ConfigMap default/settings")]
    public void Build_RequiredMissing_FailsWithKubernetesWording(string fields, string message)
    {
        var e = Assert.Throws<AttemptFailure>(() => Build(Task("      " + fields)));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Build_FieldPaths_AnsweredAsAPodWould()
    {
        var env = Build(Task("""
                  env:
                    - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
                    - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
                    - {name: APP, valueFrom: {fieldRef: {fieldPath: "metadata.labels['app']"}}}
                    - {name: MISSING, valueFrom: {fieldRef: {fieldPath: "metadata.labels['nope']"}}}
                    - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
            """));

        Assert.Equal("build-run-compile-pod", env["POD"]);
        Assert.Equal("default", env["NS"]);
        Assert.Equal("shop", env["APP"]);
        Assert.Equal("", env["MISSING"]);
        Assert.Equal(Environment.MachineName, env["NODE"]);
    }

    [Fact]
    public void Build_StepSetsTheAttemptMarker_TheExecutorsValueStays()
    {
        var env = Build(Task("""
                  env:
                    - {name: MOTHERSHIP_ATTEMPT, value: forged}
                    - {name: HOME, value: /elsewhere}
            """));

        Assert.Equal("uid-7/2", env["MOTHERSHIP_ATTEMPT"]);
        Assert.Equal("/elsewhere", env["HOME"]);
    }
}
