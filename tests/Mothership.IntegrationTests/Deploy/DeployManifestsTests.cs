using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Mothership.IntegrationTests.Deploy;

/// <summary>
/// <c>deploy/</c>: the Kubernetes manifests and the Dockerfile, checked for shape only — no image
/// can be built and no manifest applied on the development machines (no Docker engine, no cluster).
/// </summary>
public sealed partial class DeployManifestsTests
{
    private const string Namespace = "mothership";

    /// <summary>
    /// What the Kubernetes executor needs in the runs namespace, and nothing more. The same list is
    /// in deploy/kubernetes/rbac.yaml: changing the server's rights means changing both.
    /// </summary>
    private static readonly Dictionary<string, string[]> ServerRights = new(StringComparer.Ordinal)
    {
        ["pods"] = ["create", "get", "list", "watch", "delete", "deletecollection"],
        ["pods/log"] = ["get"],
        ["persistentvolumeclaims"] = ["create", "get", "list", "watch", "delete"],
        ["events"] = ["get", "list", "watch", "create", "patch"],
        ["configmaps"] = ["get", "list", "watch"],
        ["secrets"] = ["create", "get", "list", "watch", "delete"],
        ["serviceaccounts"] = ["get"],
    };

    /// <summary>What OpenStack-Helm charts create in their namespace; the deployer may do anything with it there.</summary>
    private static readonly string[] DeployerResources =
    [
        "deployments", "statefulsets", "daemonsets", "jobs", "cronjobs", "services", "configmaps", "secrets", "serviceaccounts",
        "roles", "rolebindings", "ingresses", "poddisruptionbudgets", "persistentvolumeclaims", "pods", "pods/log", "networkpolicies",
    ];

    private static string Root => Fixtures.RepositoryRoot();

    private static string ManifestsDir => Path.Combine(Root, "deploy", "kubernetes");

    [Fact]
    public void Kustomization_Resources_ExistAndCoverEveryManifest()
    {
        var kustomization = LoadDocuments(Path.Combine(ManifestsDir, "kustomization.yaml")).Single();
        var listed = Items(kustomization, "resources").Select(r => ((YamlScalarNode)r).Value!).ToList();
        var files = ManifestFiles().Select(Path.GetFileName).ToList();

        Assert.All(listed, r => Assert.True(File.Exists(Path.Combine(ManifestsDir, r)), $"kustomization.yaml lists {r}, which does not exist"));
        Assert.Equal(listed.Distinct(StringComparer.Ordinal).Count(), listed.Count);
        Assert.Equal(files.Where(f => !IsExample(f!)).Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.Contains("postgres-example.yaml", files);
        // Kustomize's namespace field would move every resource into one namespace, the deployer's
        // openstack Role included; each manifest names its namespace instead.
        Assert.Null(At(kustomization, "namespace"));
    }

    [Fact]
    public void Manifests_EveryDocument_HasApiVersionKindNameAndNamespace()
    {
        var documents = ManifestFiles().SelectMany(f => LoadDocuments(f).Select(d => (File: Path.GetFileName(f), Doc: d))).ToList();

        Assert.NotEmpty(documents);
        Assert.All(documents, d =>
        {
            Assert.False(string.IsNullOrEmpty(Text(d.Doc, "apiVersion")), $"{d.File}: a document without apiVersion");
            Assert.False(string.IsNullOrEmpty(Text(d.Doc, "kind")), $"{d.File}: a document without kind");
            Assert.False(string.IsNullOrEmpty(Text(d.Doc, "metadata", "name")), $"{d.File}: a {Text(d.Doc, "kind")} without metadata.name");
            if (Text(d.Doc, "kind") != "Namespace")
            {
                Assert.False(string.IsNullOrEmpty(Text(d.Doc, "metadata", "namespace")), $"{d.File}: {Text(d.Doc, "kind")}/{Text(d.Doc, "metadata", "name")} names no namespace");
            }
        });
        Assert.Equal(
            ["mothership-deployer:Role", "mothership-deployer:RoleBinding"],
            Applied().Where(d => Text(d, "metadata", "namespace") is { } ns && ns != Namespace).Select(d => $"{Text(d, "metadata", "name")}:{Text(d, "kind")}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Manifests_Rbac_HasNothingClusterWide()
    {
        var documents = ManifestFiles().SelectMany(LoadDocuments).ToList();

        Assert.DoesNotContain(documents, d => Text(d, "kind") is "ClusterRole" or "ClusterRoleBinding");
        // A RoleBinding to a ClusterRole (admin, edit) would grant more than the Roles here say.
        Assert.All(documents.Where(d => Text(d, "kind") == "RoleBinding"), b => Assert.Equal("Role", Text(b, "roleRef", "kind")));
    }

    [Fact]
    public void Deployment_Spec_RunsAtLeastTwoReplicasAsNonRoot()
    {
        var deployment = Deployment();
        var pod = At(deployment, "spec", "template", "spec")!;
        var container = ServerContainer();

        Assert.True(int.Parse(Text(deployment, "spec", "replicas")!, System.Globalization.CultureInfo.InvariantCulture) >= 2, "the Deployment runs fewer than two replicas");
        Assert.Equal("true", Text(pod, "securityContext", "runAsNonRoot"));
        Assert.NotEqual("0", Text(pod, "securityContext", "runAsUser"));
        Assert.Equal("true", Text(container, "securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("false", Text(container, "securityContext", "allowPrivilegeEscalation"));
        Assert.Equal(["server"], Items(container, "args").Select(a => ((YamlScalarNode)a).Value));
        var pdb = Applied().Single(d => Text(d, "kind") == "PodDisruptionBudget");
        Assert.Equal("1", Text(pdb, "spec", "minAvailable"));
    }

    [Fact]
    public void Deployment_Probes_ReadyzAndHealthzOnTheServerPort()
    {
        var container = ServerContainer();
        var ports = Items(container, "ports").Select(p => (Name: Text(p, "name"), Port: Text(p, "containerPort"))).ToList();

        Assert.Equal("/readyz", Text(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/healthz", Text(container, "livenessProbe", "httpGet", "path"));
        Assert.All(new[] { "readinessProbe", "livenessProbe" }, probe =>
        {
            var port = Text(container, probe, "httpGet", "port");
            Assert.Contains(ports, p => p.Name == port || p.Port == port);
        });
    }

    [Fact]
    public void Deployment_ServiceAccount_IsMothershipAndBound()
    {
        var deployment = Deployment();
        var binding = Applied().Single(d => Text(d, "kind") == "RoleBinding" && Text(d, "metadata", "name") == "mothership");

        Assert.Equal("mothership", Text(deployment, "spec", "template", "spec", "serviceAccountName"));
        Assert.Contains(Applied(), d => Text(d, "kind") == "ServiceAccount" && Text(d, "metadata", "name") == "mothership");
        Assert.Equal("mothership", Text(binding, "roleRef", "name"));
        var subject = Assert.Single(Items(binding, "subjects"));
        Assert.Equal(("ServiceAccount", "mothership", Namespace), (Text(subject, "kind"), Text(subject, "name"), Text(subject, "namespace")));
    }

    [Fact]
    public void ServerRole_Rules_GrantExactlyTheExecutorsRights()
    {
        var role = Applied().Single(d => Text(d, "kind") == "Role" && Text(d, "metadata", "name") == "mothership");
        var granted = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);

        Assert.Equal(Namespace, Text(role, "metadata", "namespace"));
        foreach (var rule in Items(role, "rules"))
        {
            Assert.Equal([""], Items(rule, "apiGroups").Select(g => ((YamlScalarNode)g).Value));
            Assert.Null(At(rule, "resourceNames"));
            foreach (var resource in Items(rule, "resources").Select(r => ((YamlScalarNode)r).Value!))
            {
                var verbs = granted.TryGetValue(resource, out var set) ? set : granted[resource] = new SortedSet<string>(StringComparer.Ordinal);
                verbs.UnionWith(Items(rule, "verbs").Select(v => ((YamlScalarNode)v).Value!));
            }
        }

        Assert.Equal(
            ServerRights.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}: {string.Join(',', r.Value.Order(StringComparer.Ordinal))}"),
            granted.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}: {string.Join(',', r.Value)}"));
    }

    [Fact]
    public void DeployerRole_Rules_AllVerbsOnChartResourcesInOpenstackOnly()
    {
        var role = Applied().Single(d => Text(d, "kind") == "Role" && Text(d, "metadata", "name") == "mothership-deployer");
        var binding = Applied().Single(d => Text(d, "kind") == "RoleBinding" && Text(d, "metadata", "name") == "mothership-deployer");
        var rules = Items(role, "rules").ToList();

        Assert.Equal("openstack", Text(role, "metadata", "namespace"));
        Assert.All(rules, r => Assert.Equal(["*"], Items(r, "verbs").Select(v => ((YamlScalarNode)v).Value)));
        Assert.Equal(
            DeployerResources.Order(StringComparer.Ordinal),
            rules.SelectMany(r => Items(r, "resources")).Select(r => ((YamlScalarNode)r).Value!).Order(StringComparer.Ordinal));
        Assert.Equal("openstack", Text(binding, "metadata", "namespace"));
        var subject = Assert.Single(Items(binding, "subjects"));
        Assert.Equal(("mothership-deployer", Namespace), (Text(subject, "name"), Text(subject, "namespace")));
        Assert.Contains(Applied(), d => Text(d, "kind") == "ServiceAccount" && Text(d, "metadata", "name") == "mothership-deployer");
        // The account and namespace a site's deploy pods use unless its site.yaml says otherwise.
        Assert.Equal(("mothership-deployer", Namespace), (Mothership.Cloud.Sites.SiteExecutor.DefaultServiceAccount, Mothership.Cloud.Sites.SiteExecutor.DefaultNamespace));
    }

    [Fact]
    public void Deployment_Env_EveryVariableIsAServerSetting()
    {
        var settings = ServerSettingKeys();
        var names = Items(ServerContainer(), "env").Select(e => Text(e, "name")!).ToList();

        // The reading of ServerOptions.cs still finds plain settings, sections and per-name sections.
        Assert.Contains(settings, k => k.SequenceEqual(["Mothership", "Database"]));
        Assert.Contains(settings, k => k.SequenceEqual(["Mothership", "Retention", "Pipelines", "*", "KeepLast"]));
        Assert.All(names, name => Assert.True(
            settings.Any(key => Matches(key, name)),
            $"the Deployment sets {name}, which is no setting of ServerOptions (known: {string.Join(", ", settings.Select(k => string.Join("__", k)))})"));
        Assert.Equal(names.Distinct(StringComparer.OrdinalIgnoreCase).Count(), names.Count);
        Assert.Subset(names.ToHashSet(StringComparer.Ordinal), new HashSet<string>(["Mothership__Database", "Mothership__Urls", "Mothership__Token", "Mothership__Executor"], StringComparer.Ordinal));
    }

    [Fact]
    public void Deployment_Secrets_ComeFromTheSecretTemplates()
    {
        var env = Items(ServerContainer(), "env").ToDictionary(e => Text(e, "name")!, StringComparer.Ordinal);
        var secrets = Applied().Where(d => Text(d, "kind") == "Secret").ToDictionary(d => Text(d, "metadata", "name")!, StringComparer.Ordinal);

        Assert.All(new[] { ("Mothership__Database", "mothership-db", "connection-string"), ("Mothership__Token", "mothership-api", "token") }, expected =>
        {
            var (variable, secret, key) = expected;
            Assert.Null(Text(env[variable], "value"));
            Assert.Equal(secret, Text(env[variable], "valueFrom", "secretKeyRef", "name"));
            Assert.Equal(key, Text(env[variable], "valueFrom", "secretKeyRef", "key"));
            Assert.Contains("CHANGE-ME", Text(secrets[secret], "stringData", key), StringComparison.Ordinal);
        });
        Assert.StartsWith("postgres://", Text(secrets["mothership-db"], "stringData", "connection-string"), StringComparison.Ordinal);
    }

    [Fact]
    public void Service_Port_ReachesTheServersListeningPort()
    {
        var defaultPort = ServerDefaultPort();
        var container = ServerContainer();
        var service = Applied().Single(d => Text(d, "kind") == "Service" && Text(d, "metadata", "name") == "mothership");
        var port = Assert.Single(Items(service, "spec", "ports"));
        var target = Text(port, "targetPort");
        var containerPort = Items(container, "ports").Single(p => Text(p, "name") == target || Text(p, "containerPort") == target);
        var urls = Items(container, "env").Single(e => Text(e, "name") == "Mothership__Urls");

        Assert.Equal("ClusterIP", Text(service, "spec", "type"));
        Assert.Equal("80", Text(port, "port"));
        Assert.Equal(defaultPort, Text(containerPort, "containerPort"));
        Assert.Equal(defaultPort, new Uri(Text(urls, "value")!).Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(
            Items(Deployment(), "spec", "selector", "matchLabels").Count(),
            ((YamlMappingNode)At(service, "spec", "selector")!).Children.Count);
    }

    [Fact]
    public void Dockerfile_FinalStage_RunsAsNonRootAndStartsMship()
    {
        var instructions = DockerInstructions(File.ReadAllText(Path.Combine(Root, "deploy", "Dockerfile")));
        var final = instructions.Skip(instructions.FindLastIndex(i => i.Keyword == "FROM")).ToList();

        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", final[0].Arguments, StringComparison.Ordinal);
        var user = Assert.Single(final, i => i.Keyword == "USER").Arguments.Split(':')[0];
        Assert.NotEqual("0", user);
        Assert.NotEqual("root", user);
        // Numeric, so the kubelet can enforce runAsNonRoot; the same uid as the Deployment.
        Assert.Equal(Text(Deployment(), "spec", "template", "spec", "securityContext", "runAsUser"), user);
        Assert.Equal(["/app/mship"], JsonSerializer.Deserialize<string[]>(Assert.Single(final, i => i.Keyword == "ENTRYPOINT").Arguments)!);
        Assert.Equal(["server"], JsonSerializer.Deserialize<string[]>(Assert.Single(final, i => i.Keyword == "CMD").Arguments)!);
        Assert.Equal(ServerDefaultPort(), Assert.Single(final, i => i.Keyword == "EXPOSE").Arguments);
        Assert.DoesNotContain(final, i => i.Keyword == "HEALTHCHECK");
    }

    private static bool IsExample(string file) => file.EndsWith("-example.yaml", StringComparison.Ordinal);

    /// <summary>Every manifest under deploy/kubernetes, examples included; not kustomization.yaml.</summary>
    private static IEnumerable<string> ManifestFiles() =>
        Directory.GetFiles(ManifestsDir, "*.y*ml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .Order(StringComparer.Ordinal);

    /// <summary>The documents <c>kubectl apply -k deploy/kubernetes</c> applies.</summary>
    private static List<YamlMappingNode> Applied()
    {
        var kustomization = LoadDocuments(Path.Combine(ManifestsDir, "kustomization.yaml")).Single();
        return Items(kustomization, "resources").SelectMany(r => LoadDocuments(Path.Combine(ManifestsDir, ((YamlScalarNode)r).Value!))).ToList();
    }

    private static List<YamlMappingNode> LoadDocuments(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(file)))
        {
            stream.Load(reader);
        }

        return stream.Documents.Select(d => d.RootNode).Select(n => n as YamlMappingNode ?? throw new InvalidOperationException($"{file}: a document that is not a mapping")).ToList();
    }

    private static YamlMappingNode Deployment() =>
        Applied().Single(d => Text(d, "kind") == "Deployment" && Text(d, "metadata", "name") == "mothership");

    private static YamlNode ServerContainer() => Assert.Single(Items(Deployment(), "spec", "template", "spec", "containers"));

    private static YamlNode? At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            node = next;
        }

        return node;
    }

    private static string? Text(YamlNode node, params string[] path) => (At(node, path) as YamlScalarNode)?.Value;

    private static IEnumerable<YamlNode> Items(YamlNode node, params string[] path) => At(node, path) switch
    {
        YamlSequenceNode sequence => sequence.Children,
        YamlMappingNode map => map.Children.Keys,
        _ => [],
    };

    /// <summary>The port of <c>ServerOptions.Urls</c>' default, read from the source.</summary>
    private static string ServerDefaultPort()
    {
        var source = File.ReadAllText(Path.Combine(Root, "src", "Mothership.Server", "Hosting", "ServerOptions.cs"));
        var urls = UrlsDefault().Match(source);
        Assert.True(urls.Success, "ServerOptions.Urls has no literal default any more; update this test");
        return new Uri(urls.Groups["url"].Value).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The configuration keys ServerOptions binds, as segments under <c>Mothership</c>, read from
    /// its source: properties with a setter, nested option classes of the same file as sections,
    /// and <c>Dictionary&lt;string, T&gt;</c> as a section whose key is any name (<c>*</c>).
    /// </summary>
    private static List<string[]> ServerSettingKeys()
    {
        var source = File.ReadAllText(Path.Combine(Root, "src", "Mothership.Server", "Hosting", "ServerOptions.cs"));
        var declarations = ClassDeclaration().Matches(source).ToList();
        var classes = new Dictionary<string, (string? Base, List<(string Type, string Name)> Properties)>(StringComparer.Ordinal);
        for (var i = 0; i < declarations.Count; i++)
        {
            var start = declarations[i].Index;
            var end = i + 1 < declarations.Count ? declarations[i + 1].Index : source.Length;
            var properties = Property().Matches(source[start..end]).Select(m => (m.Groups["type"].Value.Trim(), m.Groups["name"].Value)).ToList();
            classes[declarations[i].Groups["name"].Value] = (declarations[i].Groups["base"].Success ? declarations[i].Groups["base"].Value : null, properties);
        }

        Assert.True(classes.ContainsKey("ServerOptions"), "ServerOptions.cs declares no ServerOptions class any more; update this test");
        var keys = new List<string[]>();
        void Walk(string className, string[] prefix)
        {
            for (var c = className; c is not null && classes.TryGetValue(c, out var declared); c = declared.Base)
            {
                foreach (var (type, name) in declared.Properties)
                {
                    var element = type.TrimEnd('?');
                    if (classes.ContainsKey(element))
                    {
                        Walk(element, [.. prefix, name]);
                    }
                    else if (DictionaryOf().Match(element) is { Success: true } dictionary && classes.ContainsKey(dictionary.Groups["value"].Value))
                    {
                        Walk(dictionary.Groups["value"].Value, [.. prefix, name, "*"]);
                    }
                    else
                    {
                        keys.Add([.. prefix, name]);
                    }
                }
            }
        }

        Walk("ServerOptions", ["Mothership"]);
        return keys;
    }

    /// <summary>Whether an environment variable names a key: <c>__</c> separates sections, names ignore case (as .NET configuration reads them).</summary>
    private static bool Matches(string[] key, string variable)
    {
        var segments = variable.Split("__");
        return segments.Length == key.Length
            && segments.Zip(key).All(p => p.Second == "*" ? p.First.Length > 0 : string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Dockerfile instructions with continuation lines joined and comments dropped.</summary>
    private static List<(string Keyword, string Arguments)> DockerInstructions(string dockerfile)
    {
        var instructions = new List<(string, string)>();
        var current = "";
        foreach (var raw in dockerfile.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('#'))
            {
                continue;
            }

            current = current.Length == 0 ? line : current + " " + line;
            if (current.EndsWith('\\'))
            {
                current = current[..^1].TrimEnd();
                continue;
            }

            if (current.Length > 0)
            {
                var parts = current.Split(' ', 2, StringSplitOptions.TrimEntries);
                instructions.Add((parts[0].ToUpperInvariant(), parts.Length > 1 ? parts[1] : ""));
            }

            current = "";
        }

        return instructions;
    }

    [GeneratedRegex(@"public\s+(?:sealed\s+)?class\s+(?<name>\w+)(?:\s*:\s*(?<base>\w+))?")]
    private static partial Regex ClassDeclaration();

    [GeneratedRegex(@"public\s+(?<type>[\w<>,\s\?\.]+?)\s+(?<name>\w+)\s*\{\s*get;\s*set;\s*\}")]
    private static partial Regex Property();

    [GeneratedRegex(@"^Dictionary<\s*string\s*,\s*(?<value>\w+)\s*>$")]
    private static partial Regex DictionaryOf();

    [GeneratedRegex(@"string\s+Urls\s*\{\s*get;\s*set;\s*\}\s*=\s*""(?<url>[^""]+)""")]
    private static partial Regex UrlsDefault();
}
