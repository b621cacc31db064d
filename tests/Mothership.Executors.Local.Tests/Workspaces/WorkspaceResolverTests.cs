using Mothership.Engine.Execution;
using Mothership.Executors.Local.Workspaces;
using Mothership.Model.Tekton;
using static Mothership.Executors.Local.Tests.TaskRequests;

namespace Mothership.Executors.Local.Tests.Workspaces;

public sealed class WorkspaceResolverTests : IDisposable
{
    private const string Objects = """
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {app.conf: "level=debug", extra: "x"}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: creds}
        stringData: {token: s3cr3t}
        """;

    private readonly TempDirectory _tmp = new();
    private readonly SecretMasker _masker = new();

    public void Dispose() => _tmp.Dispose();

    private string Root => _tmp.Combine("work", "runs");

    /// <summary>A request for a Task declaring <paramref name="workspaces"/>, with <paramref name="bindings"/>, and its resolver.</summary>
    private WorkspaceResolver Resolver(string workspaces, WorkspaceBinding[] bindings, string uid = "tr-1", string? pipelineRunUid = null, string volumes = "")
    {
        var request = Request($$"""
            apiVersion: tekton.dev/v1
            kind: Task
            metadata: {name: t}
            spec:
              workspaces: {{workspaces}}
              {{volumes}}
              steps:
                - {name: s, script: ls}
            {{Objects}}
            """, uid: uid, pipelineRunUid: pipelineRunUid) with { Workspaces = [.. bindings] };
        var dirs = AttemptDirectories.Create(Root, pipelineRunUid ?? uid, uid, 0, AttemptParts.None);
        return new WorkspaceResolver(request, dirs, _masker);
    }

    private static WorkspaceBinding Bind(string name, VolumeSource source, string? subPath = null) => new() { Name = name, Source = source, SubPath = subPath };

    [Fact]
    public void ResolveWorkspaces_EmptyDir_ADirectoryOfTheAttemptOutsideItsWorkspace()
    {
        var ws = Assert.Single(Resolver("[{name: scratch}]", [Bind("scratch", new VolumeSource { EmptyDir = true })]).ResolveWorkspaces());

        Assert.Equal(Path.Combine(AttemptDirectories.PathOf(Root, "tr-1", "tr-1", 0), "volumes", "ws-scratch"), ws.HostDirectory);
        Assert.True(Directory.Exists(ws.HostDirectory));
        Assert.Equal("/workspace/scratch", ws.MountPath);
        Assert.Equal("ws-scratch", ws.Volume);
        Assert.Equal("", ws.Claim);
    }

    [Fact]
    public void ResolveWorkspaces_HostPath_ThatDirectoryCreated()
    {
        var host = _tmp.Combine("checkout");

        var ws = Assert.Single(Resolver("[{name: src}]", [Bind("src", new VolumeSource { HostPath = host })]).ResolveWorkspaces());

        Assert.Equal(host, ws.HostDirectory);
        Assert.True(Directory.Exists(host));
    }

    [Fact]
    public void ResolveWorkspaces_PersistentVolumeClaim_NextToTheRootSharedAcrossRuns()
    {
        var claim = new VolumeSource { ClaimName = "cache" };

        var first = Assert.Single(Resolver("[{name: c}]", [Bind("c", claim)], uid: "tr-1").ResolveWorkspaces());
        var second = Assert.Single(Resolver("[{name: c}]", [Bind("c", claim)], uid: "tr-2").ResolveWorkspaces());

        Assert.Equal(_tmp.Combine("work", "volumes", "cache"), first.HostDirectory);
        Assert.Equal(first.HostDirectory, second.HostDirectory);
        Assert.Equal("cache", first.Claim);
    }

    [Fact]
    public void ResolveWorkspaces_VolumeClaimTemplate_OneDirectoryPerPipelineRun()
    {
        var template = new VolumeSource { VolumeClaimTemplate = true };

        var a = Assert.Single(Resolver("[{name: shared}]", [Bind("shared", template)], uid: "tr-a", pipelineRunUid: "pr-1").ResolveWorkspaces());
        var b = Assert.Single(Resolver("[{name: shared}]", [Bind("shared", template)], uid: "tr-b", pipelineRunUid: "pr-1").ResolveWorkspaces());
        var other = Assert.Single(Resolver("[{name: shared}]", [Bind("shared", template)], uid: "tr-c", pipelineRunUid: "pr-2").ResolveWorkspaces());

        Assert.Equal(Path.Combine(Root, "pr-1", "claims", "shared"), a.HostDirectory);
        Assert.Equal(a.HostDirectory, b.HostDirectory);
        Assert.NotEqual(a.HostDirectory, other.HostDirectory);
        Assert.Equal("shared", a.Claim);
    }

    [Fact]
    public void ResolveWorkspaces_VolumeClaimTemplateOfALoneTaskRun_KeyedByTheTaskRun()
    {
        var ws = Assert.Single(Resolver("[{name: w}]", [Bind("w", new VolumeSource { VolumeClaimTemplate = true, ClaimName = "pvc-1" })], uid: "tr-9").ResolveWorkspaces());

        Assert.Equal(Path.Combine(Root, "tr-9", "claims", "pvc-1"), ws.HostDirectory);
        Assert.Equal("pvc-1", ws.Claim);
    }

    [Fact]
    public void ResolveWorkspaces_SubPath_AppendedAndCreated()
    {
        var host = _tmp.Combine("repo");

        var ws = Assert.Single(Resolver("[{name: src}]", [Bind("src", new VolumeSource { HostPath = host }, subPath: "a/b")]).ResolveWorkspaces());

        Assert.Equal(Path.Combine(host, "a", "b"), ws.HostDirectory);
        Assert.True(Directory.Exists(ws.HostDirectory));
    }

    [Fact]
    public void ResolveWorkspaces_MountPathAndReadOnly_AsDeclared()
    {
        var ws = Assert.Single(Resolver("[{name: src, mountPath: /src, readOnly: true}]", [Bind("src", new VolumeSource { EmptyDir = true })]).ResolveWorkspaces());

        Assert.Equal("/src", ws.MountPath);
        Assert.True(ws.ReadOnly);
    }

    [Fact]
    public void ResolveWorkspaces_ConfigMapAndSecret_OneFilePerKeySecretValuesMasked()
    {
        var resolver = Resolver("[{name: conf}, {name: token}]",
            [Bind("conf", new VolumeSource { ConfigMapName = "settings" }), Bind("token", new VolumeSource { SecretName = "creds" })]);

        var (conf, token) = resolver.ResolveWorkspaces() switch { [var c, var t] => (c, t), var all => throw new InvalidOperationException($"{all.Count} workspaces") };

        Assert.Equal("level=debug", File.ReadAllText(Path.Combine(conf.HostDirectory!, "app.conf")));
        Assert.Equal("x", File.ReadAllText(Path.Combine(conf.HostDirectory!, "extra")));
        Assert.Equal("s3cr3t", File.ReadAllText(Path.Combine(token.HostDirectory!, "token")));
        Assert.Equal("token: ***, conf: level=debug", _masker.Mask("token: s3cr3t, conf: level=debug"));
    }

    [Fact]
    public void ResolveWorkspaces_ItemsAndProjectedSources_OnlyTheNamedKeysAtTheirPaths()
    {
        var projected = new VolumeSource
        {
            Sources =
            [
                new VolumeSource { ConfigMapName = "settings", Items = [new KeyToPath("app.conf", "etc/app.conf")] },
                new VolumeSource { SecretName = "creds" },
            ],
        };

        var ws = Assert.Single(Resolver("[{name: all}]", [Bind("all", projected)]).ResolveWorkspaces());

        Assert.Equal(["etc/app.conf", "token"], Directory.EnumerateFiles(ws.HostDirectory!, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(ws.HostDirectory!, f)).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("nope", "app.conf", "workspace \"conf\": ConfigMap \"nope\" not found")]
    [InlineData("settings", "missing-key", "workspace \"conf\": couldn't find key missing-key in ConfigMap default/settings")]
    public void ResolveWorkspaces_ConfigMapOrKeyMissing_Fails(string configMap, string key, string message)
    {
        var resolver = Resolver("[{name: conf}]", [Bind("conf", new VolumeSource { ConfigMapName = configMap, Items = [new KeyToPath(key, "f")] })]);

        Assert.Equal(message, Assert.Throws<AttemptFailure>(resolver.ResolveWorkspaces).Message);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/etc/passwd")]
    public void ResolveWorkspaces_ItemPathLeavingTheVolume_FailsWithoutWriting(string path)
    {
        var resolver = Resolver("[{name: conf}]", [Bind("conf", new VolumeSource { ConfigMapName = "settings", Items = [new KeyToPath("app.conf", path)] })]);

        var e = Assert.Throws<AttemptFailure>(resolver.ResolveWorkspaces);

        Assert.Equal($"workspace \"conf\": item path \"{path}\" leaves the volume", e.Message);
        Assert.False(File.Exists(Path.Combine(AttemptDirectories.PathOf(Root, "tr-1", "tr-1", 0), "volumes", "escape")));
    }

    [Fact]
    public void ResolveWorkspaces_RequiredUnbound_FailsNamingEveryOneOptionalUnboundHasNoDirectory()
    {
        var optionalOnly = Assert.Single(Resolver("[{name: maybe, optional: true}]", []).ResolveWorkspaces());
        var missing = Resolver("[{name: a}, {name: maybe, optional: true}, {name: b}]", []);

        Assert.Null(optionalOnly.HostDirectory);
        Assert.Equal("/workspace/maybe", optionalOnly.MountPath);
        Assert.Equal("bound workspaces did not match declared workspaces: didn't provide required values: [a, b]",
            Assert.Throws<AttemptFailure>(missing.ResolveWorkspaces).Message);
    }

    [Fact]
    public void ResolveVolumes_EachKind_ADirectoryByName()
    {
        var resolver = Resolver("[]", [], volumes: """
            volumes:
                - {name: scratch, emptyDir: {}}
                - {name: conf, configMap: {name: settings}}
                - {name: cache, persistentVolumeClaim: {claimName: cache}}
            """);

        var volumes = resolver.ResolveVolumes();

        var attempt = AttemptDirectories.PathOf(Root, "tr-1", "tr-1", 0);
        Assert.Equal(Path.Combine(attempt, "volumes", "scratch"), volumes["scratch"]);
        Assert.Equal("level=debug", File.ReadAllText(Path.Combine(volumes["conf"], "app.conf")));
        Assert.Equal(_tmp.Combine("work", "volumes", "cache"), volumes["cache"]);
        Assert.All(volumes.Values, v => Assert.True(Directory.Exists(v), v));
    }

    [Fact]
    public void ResolveVolumes_Csi_FailsAsUnsupported()
    {
        var resolver = Resolver("[]", [], volumes: """
            volumes:
                - {name: vault, csi: {driver: secrets-store.csi.k8s.io}}
            """);

        Assert.Equal("volume \"vault\": csi volumes are not supported by the local executor", Assert.Throws<AttemptFailure>(resolver.ResolveVolumes).Message);
    }
}
