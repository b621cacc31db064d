using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;
using Mothership.Engine.Images;
using Mothership.Engine.Resolution.Remote;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Tests.Resolution.Remote;

public sealed class BundleResolverTests : IDisposable
{
    private const string Registry = "https://registry.example.org";
    private const string Task = "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: build}\nspec: {steps: [{name: s, image: alpine, script: echo built}]}\n";
    private const string Pipeline = "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {name: build}\nspec: {tasks: [{name: a, taskRef: {name: build}}]}\n";

    private readonly OciRegistryStandIn _registry = new();
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "mship-bundles-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }

    private BundleResolver Resolver(string at = Registry) => new(
        new RemoteResolverOptions { CacheDirectory = _cache }, new HttpClient(_registry.Handler(at)));

    private static ResolutionRequest Request(string bundle, string name, string? kind = "task", string? secret = null)
    {
        var p = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        p["bundle"] = bundle;
        p["name"] = name;
        if (kind is not null)
        {
            p["kind"] = kind;
        }

        if (secret is not null)
        {
            p["secret"] = secret;
        }

        return new ResolutionRequest { Resolver = "bundles", Kind = "Task", Params = p.ToImmutable() };
    }

    private static IResolutionSecrets Secrets(string yaml = "")
    {
        var set = new ResourceSet { All = [.. ResourceLoader.Load("s.yaml", yaml, new DiagnosticBag())] };
        return new ResourceSetSecrets(set);
    }

    private async Task<ResolvedDocument> ResolveAsync(ResolutionRequest request, IResolutionSecrets? secrets = null, BundleResolver? resolver = null) =>
        await (resolver ?? Resolver()).ResolveAsync(request, secrets ?? Secrets(), TestContext.Current.CancellationToken);

    [Fact]
    public async Task ResolveAsync_BundleByDigest_TheLayerOfThatKindAndName()
    {
        var digest = _registry.PushBundle("team/build", "1.0", new BundleObject("task", "build", Task), new BundleObject("pipeline", "build", Pipeline));

        var task = await ResolveAsync(Request($"registry.example.org/team/build@{digest}", "build"));
        var pipeline = await ResolveAsync(Request("registry.example.org/team/build:1.0", "build", "Pipeline"));

        Assert.Equal(Task, task.Text);
        Assert.Equal($"bundle:registry.example.org/team/build@{digest}:task/build", task.Source);
        Assert.Equal(Pipeline, pipeline.Text);
        // The anonymous bearer challenge was answered once per session, as a registry expects.
        Assert.Contains("GET /token", _registry.Requests);
    }

    [Fact]
    public async Task ResolveAsync_NoKind_TaskAsTektonsDefault()
    {
        _registry.PushBundle("team/build", "1.0", new BundleObject("task", "build", Task));
        Assert.Equal(Task, (await ResolveAsync(Request("registry.example.org/team/build:1.0", "build", kind: null))).Text);
    }

    [Fact]
    public async Task ResolveAsync_NameNotInBundle_SaysWhatItHolds()
    {
        _registry.PushBundle("team/build", "1.0", new BundleObject("task", "build", Task));
        var e = await Assert.ThrowsAsync<RemoteResolutionException>(() => ResolveAsync(Request("registry.example.org/team/build:1.0", "deploy")));
        Assert.Equal("could not find object in image with kind: task and name: deploy (it holds task/build)", e.Message);
    }

    [Fact]
    public async Task ResolveAsync_UnknownTag_NamesTheUrlAndStatus()
    {
        var e = await Assert.ThrowsAsync<RemoteResolutionException>(() => ResolveAsync(Request("registry.example.org/team/none:1.0", "build")));
        Assert.Contains("cannot retrieve the oci image: image \"registry.example.org/team/none:1.0\": https://registry.example.org/v2/team/none/manifests/1.0 answered 404", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dev.tekton.image.name", "the layer 0 does not contain a dev.tekton.image.name annotation")]
    [InlineData("plural", "the layer 0 the annotation dev.tekton.image.kind must be lowercased and singular, found tasks")]
    [InlineData("many", "contained more than the maximum 20 allow objects")]
    public async Task ResolveAsync_BundleTektonRefuses_RefusedWithTektonsReason(string defect, string reason)
    {
        var layer = _registry.Put(Encoding.UTF8.GetBytes(Task), "application/octet-stream");
        JsonObject Layer(string kind = "task") => new()
        {
            ["mediaType"] = "application/vnd.docker.image.rootfs.diff.tar.gzip",
            ["digest"] = layer,
            ["size"] = Task.Length,
            ["annotations"] = new JsonObject { ["dev.tekton.image.apiVersion"] = "v1", ["dev.tekton.image.kind"] = kind, ["dev.tekton.image.name"] = "build" },
        };
        var layers = defect switch
        {
            "plural" => new JsonArray(Layer("tasks")),
            "many" => new JsonArray([.. Enumerable.Range(0, 21).Select(_ => (JsonNode)Layer())]),
            _ => new JsonArray(Layer()),
        };
        if (defect.StartsWith("dev.", StringComparison.Ordinal))
        {
            layers[0]!["annotations"]!.AsObject().Remove(defect);
        }

        _registry.PushManifest("team/bad", "1", Encoding.UTF8.GetBytes(new JsonObject { ["schemaVersion"] = 2, ["layers"] = layers }.ToJsonString()), "application/vnd.oci.image.manifest.v1+json");

        var e = await Assert.ThrowsAsync<RemoteResolutionException>(() => ResolveAsync(Request("registry.example.org/team/bad:1", "build")));
        Assert.Equal($"invalid tekton bundle registry.example.org/team/bad:1: {reason}", e.Message);
    }

    [Fact]
    public async Task ResolveAsync_RawLayer_ReadAsTheObject()
    {
        // Tekton's readRawLayer: a layer that is no tarball is the object itself.
        var layer = _registry.Put(Encoding.UTF8.GetBytes(Task), "application/octet-stream");
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["layers"] = new JsonArray(new JsonObject
            {
                ["digest"] = layer,
                ["annotations"] = new JsonObject { ["dev.tekton.image.apiVersion"] = "v1", ["dev.tekton.image.kind"] = "task", ["dev.tekton.image.name"] = "build" },
            }),
        };
        _registry.PushManifest("team/raw", "1", Encoding.UTF8.GetBytes(manifest.ToJsonString()), "application/vnd.oci.image.manifest.v1+json");

        Assert.Equal(Task, (await ResolveAsync(Request("registry.example.org/team/raw:1", "build"))).Text);
    }

    [Fact]
    public async Task ResolveAsync_LayerOtherThanItsDigest_Refused()
    {
        // A registry (or a man in the middle) that serves other bytes than the digest names.
        var digest = _registry.PushBundle("team/build", "1.0", new BundleObject("task", "build", Task));
        var layer = ManifestLayer(digest);
        _registry.Corrupt(layer, Encoding.UTF8.GetBytes("apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: evil}\n"));

        var e = await Assert.ThrowsAsync<RemoteResolutionException>(() => ResolveAsync(Request($"registry.example.org/team/build@{digest}", "build")));
        Assert.Contains($"the blob served for {layer} has digest sha256:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_DigestNotSha256_RefusedBeforeAnyRequest()
    {
        var e = await Assert.ThrowsAsync<RemoteResolutionException>(() => ResolveAsync(Request("registry.example.org/team/build@sha256:../../etc", "build")));
        Assert.Contains("is not a sha256 digest", e.Message, StringComparison.Ordinal);
        Assert.Empty(_registry.Requests);
    }

    [Fact]
    public async Task ResolveAsync_SecondTimeByDigest_FromTheCacheWithoutTheRegistry()
    {
        var digest = _registry.PushBundle("team/build", "1.0", new BundleObject("task", "build", Task));
        var bundle = $"registry.example.org/team/build@{digest}";
        await ResolveAsync(Request(bundle, "build"));

        // The registry moved away: the manifest and the layer named by digest are in the cache.
        var again = await ResolveAsync(Request(bundle, "build"), resolver: Resolver("https://elsewhere.example.org"));
        Assert.Equal(Task, again.Text);
    }

    [Fact]
    public async Task ResolveAsync_PrivateRepositoryWithPullSecret_LogsInForTheToken()
    {
        _registry.RequiredLogin = ("robot", "s3cret");
        _registry.PushBundle("team/private", "1", new BundleObject("task", "build", Task));
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("robot:s3cret"));
        var config = new JsonObject { ["auths"] = new JsonObject { ["registry.example.org"] = new JsonObject { ["auth"] = auth } } }.ToJsonString();
        var secret = $"apiVersion: v1\nkind: Secret\nmetadata: {{name: pull}}\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{config}'\n";

        var anonymous = await Assert.ThrowsAsync<RemoteResolutionException>(() => ResolveAsync(Request("registry.example.org/team/private:1", "build")));
        var resolved = await ResolveAsync(Request("registry.example.org/team/private:1", "build", secret: "pull"), Secrets(secret));
        var missing = await Assert.ThrowsAsync<RemoteResolutionException>(() => ResolveAsync(Request("registry.example.org/team/private:1", "build", secret: "nope")));

        Assert.Contains("the token service https://registry.example.org/token answered 401", anonymous.Message, StringComparison.Ordinal);
        Assert.Equal(Task, resolved.Text);
        Assert.Equal("Secret 'nope' (param 'secret') is not defined", missing.Message);
    }

    [Theory]
    [InlineData("registry.example.org", "registry.example.org")]
    [InlineData("https://index.docker.io/v1/", "docker.io")]
    [InlineData("https://ghcr.io", "ghcr.io")]
    public void DockerConfig_KeyForms_MatchTheRegistry(string key, string registry)
    {
        var secret = new DataObject
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = new ObjectMeta { Name = "pull" },
            Data = ImmutableSortedDictionary<string, string>.Empty.Add(".dockerconfigjson",
                new JsonObject { ["auths"] = new JsonObject { [key] = new JsonObject { ["username"] = "u", ["password"] = "p" } } }.ToJsonString()),
        };

        Assert.Equal(new RegistryCredentials("u", "p"), DockerConfig.Find(secret, registry, out var error));
        Assert.Null(error);
        Assert.Null(DockerConfig.Find(secret, "other.example.org", out _));
    }

    private string ManifestLayer(string manifestDigest)
    {
        var answer = _registry.Answer($"/v2/team/build/manifests/{manifestDigest}", "Bearer " + OciRegistryStandIn.Token, Registry);
        return (string)JsonNode.Parse(answer.Body)!["layers"]![0]!["digest"]!;
    }
}
