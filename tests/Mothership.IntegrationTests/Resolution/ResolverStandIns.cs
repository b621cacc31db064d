using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Mothership.Testing;

namespace Mothership.IntegrationTests.Resolution;

/// <summary>
/// Local stand-ins for what Tekton's resolver examples fetch from the internet: a bare git
/// repository that git's <c>insteadOf</c> puts in place of github.com/tektoncd/catalog, and one
/// HTTP server answering for raw.githubusercontent.com (through Mothership's URL rewrite) and for
/// Artifact Hub (through <c>ARTIFACT_HUB_API</c>), and as ghcr.io's registry (an
/// <see cref="OciRegistryStandIn"/>, through the URL rewrite) serving the catalog's git-clone
/// bundle. The Tasks, StepAction and Pipeline they serve are small ones of our own under the
/// catalog's paths.
/// </summary>
public sealed class ResolverStandIns : IAsyncLifetime
{
    /// <summary>The stand-in catalog Task: the params and workspace the examples pass to git-clone 0.10, a result to check.</summary>
    public const string GitCloneTask = """
        apiVersion: tekton.dev/v1
        kind: Task
        metadata:
          name: git-clone
        spec:
          params:
            - name: url
            - name: revision
              default: ""
            - name: deleteExisting
              default: "true"
          workspaces:
            - name: output
          results:
            - name: commit
          steps:
            - name: clone
              image: alpine
              script: |
                echo "stand-in clone of $(params.url) at '$(params.revision)'"
                printf stand-in > $(results.commit.path)
        """;

    public const string GitCloneStepAction = """
        apiVersion: tekton.dev/v1beta1
        kind: StepAction
        metadata:
          name: git-clone
        spec:
          params:
            - name: url
            - name: revision
            - name: output-path
          image: alpine
          script: |
            echo "stand-in step action cloning $(params.url) at $(params.revision) into $(params.output-path)"
        """;

    public const string BuildpacksPipeline = """
        apiVersion: tekton.dev/v1
        kind: Pipeline
        metadata:
          name: buildpacks
        spec:
          params:
            - name: BUILDER_IMAGE
            - name: TRUST_BUILDER
            - name: APP_IMAGE
            - name: SOURCE_URL
            - name: SOURCE_SUBPATH
          workspaces:
            - name: source-ws
            - name: cache-ws
          tasks:
            - name: build
              workspaces:
                - name: source
                  workspace: source-ws
              params:
                - name: app
                  value: $(params.APP_IMAGE)
              taskSpec:
                params:
                  - name: app
                workspaces:
                  - name: source
                steps:
                  - name: build
                    image: alpine
                    script: echo "stand-in build of $(params.app)"
        """;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "mship-resolvers-" + Guid.NewGuid().ToString("N"));
    private readonly List<string> _authorizations = [];
    private HttpListener? _http;
    private Task? _serving;

    /// <summary>The stand-in of ghcr.io, with the git-clone bundle pushed.</summary>
    public OciRegistryStandIn Registry { get; } = new();

    /// <summary>The digest of the stand-in git-clone bundle (<c>ghcr.io/tektoncd/catalog/upstream/tasks/git-clone</c>).</summary>
    public string GitCloneBundle { get; private set; } = "";

    /// <summary>The catalog's commit on main.</summary>
    public string Commit { get; private set; } = "";

    /// <summary>A scratch folder, removed at the end.</summary>
    public string Root => _root;

    /// <summary>The base URL of the HTTP stand-in.</summary>
    public string HttpBase { get; private set; } = "";

    /// <summary>The Authorization headers the HTTP stand-in received, in order.</summary>
    public IReadOnlyList<string> Authorizations
    {
        get
        {
            lock (_authorizations)
            {
                return [.. _authorizations];
            }
        }
    }

    /// <summary>The environment that points mship at the stand-ins (its own resolver cache included).</summary>
    public Dictionary<string, string> Environment => new()
    {
        ["GIT_CONFIG_COUNT"] = "1",
        ["GIT_CONFIG_KEY_0"] = $"url.file://{Path.Combine(_root, "catalog.git")}.insteadOf",
        ["GIT_CONFIG_VALUE_0"] = "https://github.com/tektoncd/catalog.git",
        ["MOTHERSHIP_RESOLVER_CACHE"] = Path.Combine(_root, "cache"),
        ["MOTHERSHIP_RESOLVER_URL_REWRITE"] = $"https://raw.githubusercontent.com/={HttpBase}/raw/;https://ghcr.io/={HttpBase}/",
        ["ARTIFACT_HUB_API"] = HttpBase,
    };

    public async ValueTask InitializeAsync()
    {
        var work = Path.Combine(_root, "work");
        Write(work, "task/git-clone/0.10/git-clone.yaml", GitCloneTask);
        Write(work, "stepaction/git-clone/0.1/git-clone.yaml", GitCloneStepAction);
        Write(work, "pipeline/buildpacks/0.2/buildpacks.yaml", BuildpacksPipeline);
        await Git(work, "init", "-q", "-b", "main");
        await Git(work, "add", "-A");
        await Git(work, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "catalog stand-in");
        Commit = (await Git(work, "rev-parse", "HEAD")).Trim();
        await Git(_root, "clone", "-q", "--bare", work, "catalog.git");

        GitCloneBundle = Registry.PushBundle("tektoncd/catalog/upstream/tasks/git-clone", "0.10", new BundleObject("task", "git-clone", GitCloneTask));

        var port = LoopbackPort.Free();
        HttpBase = $"http://127.0.0.1:{port}";
        _http = new HttpListener();
        _http.Prefixes.Add($"{HttpBase}/");
        _http.Start();
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>Commits <paramref name="text"/> at <paramref name="path"/> on main of the bare catalog; the new commit.</summary>
    public async Task<string> CommitAsync(string path, string text)
    {
        var work = Path.Combine(_root, "work");
        Write(work, path, text);
        await Git(work, "add", "-A");
        await Git(work, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "change " + path);
        await Git(work, "push", "-q", Path.Combine(_root, "catalog.git"), "HEAD:main");
        return (await Git(work, "rev-parse", "HEAD")).Trim();
    }

    private async Task ServeAsync()
    {
        while (_http is { IsListening: true } http)
        {
            HttpListenerContext context;
            try
            {
                context = await http.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var response = context.Response;
            var auth = context.Request.Headers["Authorization"];
            lock (_authorizations)
            {
                _authorizations.Add(auth ?? "");
            }

            var path = context.Request.Url!.AbsolutePath;
            if (path.StartsWith("/v2/", StringComparison.Ordinal) || path == "/token")
            {
                var answer = Registry.Answer(path, auth, HttpBase);
                response.StatusCode = answer.Status;
                response.ContentType = answer.ContentType;
                foreach (var (key, value) in answer.Headers)
                {
                    response.Headers[key] = value;
                }

                await response.OutputStream.WriteAsync(answer.Body);
                continue;
            }

            var (status, body) = Answer(path, auth);
            response.StatusCode = status;
            var bytes = Encoding.UTF8.GetBytes(body);
            await response.OutputStream.WriteAsync(bytes);
        }
    }

    /// <summary>raw.githubusercontent.com's paths under /raw/, Artifact Hub's under /api/v1/packages/; a wrong password is 401.</summary>
    private static (int Status, string Body) Answer(string path, string? auth)
    {
        if (auth is not null && auth != "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("git:token")))
        {
            return (401, "wrong credentials");
        }

        return path switch
        {
            "/raw/tektoncd/catalog/main/task/git-clone/0.10/git-clone.yaml" => (200, GitCloneTask),
            "/api/v1/packages/tekton-task/tekton-catalog-tasks/git-clone/0.10.0" => (200, Hub(GitCloneTask)),
            "/api/v1/packages/tekton-pipeline/Tekton/buildpacks/0.2.0" => (200, Hub(BuildpacksPipeline)),
            _ => (404, "not found"),
        };
    }

    private static string Hub(string manifest) => new JsonObject { ["data"] = new JsonObject { ["manifestRaw"] = manifest } }.ToJsonString();

    private static void Write(string root, string path, string text)
    {
        var full = Path.Combine(root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    private static Task<string> Git(string directory, params string[] args)
    {
        Directory.CreateDirectory(directory);
        return GitCommand.RunAsync(directory, args);
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Close();
        if (_serving is not null)
        {
            await _serving;
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
