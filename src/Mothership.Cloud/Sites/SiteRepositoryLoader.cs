using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Mothership.Cloud.Promotion;
using Mothership.Cloud.Rollouts;
using Mothership.Cloud.Sources;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Validation;

namespace Mothership.Cloud.Sites;

/// <summary>
/// Reads <c>cloud.yaml</c> and one site's <c>site.yaml</c> (ARCHITECTURE.md, "Site repository"),
/// reporting every problem with its file and line. Paths in diagnostics are the repository's paths
/// prefixed with the display root (the folder as the user gave it), so an editor opens them.
/// </summary>
public static partial class SiteRepositoryLoader
{
    public const string ApiVersion = "mothership.io/v1";

    public const string CatalogFile = "cloud.yaml";

    private static readonly string[] Environments = ["dev", "stage", "prod"];

    public static string SiteFile(string site) => $"sites/{site}/site.yaml";

    /// <summary>Loads the catalog and <paramref name="site"/>; null (with diagnostics) when unusable.</summary>
    public static SiteRepository? Load(IRepositoryFiles files, string site, string displayRoot, DiagnosticBag diagnostics)
    {
        // Each file on its own bag, so a broken catalog does not hide the site file's problems.
        var catalogDiagnostics = new DiagnosticBag();
        var siteDiagnostics = new DiagnosticBag();
        var catalog = LoadCatalog(files, displayRoot, catalogDiagnostics);
        var definition = LoadSite(files, site, displayRoot, siteDiagnostics);
        return Combine(catalog, catalogDiagnostics.Items, definition, siteDiagnostics.Items, diagnostics);
    }

    /// <summary>
    /// The site with its services looked up in the catalog, from a catalog and a site file already
    /// read (each with the diagnostics reading it gave): how <see cref="Load"/> ends, and how a
    /// batch of sites reuses one parsed catalog.
    /// </summary>
    internal static SiteRepository? Combine(CloudCatalog? catalog, IEnumerable<Diagnostic> catalogDiagnostics, SiteDefinition? definition, IEnumerable<Diagnostic> siteDiagnostics, DiagnosticBag diagnostics)
    {
        diagnostics.AddRange(catalogDiagnostics);
        diagnostics.AddRange(siteDiagnostics);
        if (catalog is null || definition is null)
        {
            return null;
        }

        var services = ImmutableArray.CreateBuilder<ServiceEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < definition.Services.Length; i++)
        {
            var name = definition.Services[i];
            var at = definition.At($"services[{i}]");
            if (!seen.Add(name))
            {
                diagnostics.Error(at, $"service '{name}' is listed twice in spec.services");
            }
            else if (catalog.Find(name) is { } entry)
            {
                services.Add(entry);
            }
            else
            {
                diagnostics.Error(at, $"unknown service '{name}': {CatalogFile} defines {Known(catalog)}");
            }
        }

        return diagnostics.HasErrors ? null : new SiteRepository { Catalog = catalog, Site = definition, Services = services.ToImmutable() };
    }

    /// <summary>The site names in <c>sites/</c>.</summary>
    public static IReadOnlyList<string> SiteNames(IRepositoryFiles files) =>
        [.. files.Directories("sites").Where(d => files.ReadText(SiteFile(d)) is not null)];

    private static string Known(CloudCatalog catalog) =>
        catalog.Services.Length == 0 ? "no services" : string.Join(", ", catalog.Services.Select(s => s.Name).Order(StringComparer.Ordinal));

    public static CloudCatalog? LoadCatalog(IRepositoryFiles files, string displayRoot, DiagnosticBag diagnostics)
    {
        var root = ReadDocument(files, CatalogFile, displayRoot, "Cloud", diagnostics);
        if (root is null)
        {
            return null;
        }

        var name = Name(root);
        if (Spec(root) is not { } spec)
        {
            return null;
        }

        var services = spec.List("services", ReadService);
        var external = spec.List("externalEndpoints", r =>
        {
            var e = r.Finish(new ExternalEndpoint { Endpoint = r.RequiredString("endpoint"), Reason = r.RequiredString("reason") });
            return e;
        });
        var promotion = spec.Map("promotion") is { } p ? ReadPromotion(p, name) : null;
        spec.CheckUnknown();
        root.CheckUnknown();
        NameRules.Unique(services, s => s.Name, "service", diagnostics);
        var names = services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var service in services)
        {
            foreach (var edge in service.DependsOn.Concat(service.IgnoreDependsOn))
            {
                if (edge.Service == service.Name)
                {
                    diagnostics.Error(edge.At("service"), $"service '{service.Name}' cannot depend on itself");
                }
                else if (!names.Contains(edge.Service))
                {
                    diagnostics.Error(edge.At("service"), $"unknown service '{edge.Service}' in the edges of '{service.Name}': {CatalogFile} defines no such service");
                }
            }
        }

        return diagnostics.HasErrors ? null : new CloudCatalog { Name = name, Services = services, ExternalEndpoints = external, Promotion = promotion, Location = root.Location };
    }

    /// <summary><c>spec.promotion</c>: environments in order (each known and named once, at least two), labels GitHub accepts, an <c>OWNER/NAME</c> repository, each environment's rollout.</summary>
    private static PromotionPolicy ReadPromotion(MapReader r, string cloud)
    {
        var repository = r.String("repository");
        if (repository is not null && !GitHubRepository().IsMatch(repository))
        {
            r.Diagnostics.Error(r.At("repository"), $"field '{r.Path}.repository': '{repository}' is not a GitHub repository as OWNER/NAME");
        }

        var branch = r.String("branch") ?? "main";
        if (branch.Length == 0 || branch.StartsWith('-') || branch.Contains("..", StringComparison.Ordinal) || branch.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '~' or '^' or ':' or '?' or '*' or '[' or '\\'))
        {
            r.Diagnostics.Error(r.At("branch"), $"field '{r.Path}.branch': '{branch}' is not a branch name git accepts");
        }

        var stages = r.List("environments", e =>
        {
            var environment = e.RequiredString("name");
            if (environment.Length > 0 && !Environments.Contains(environment))
            {
                e.Diagnostics.Error(e.At("name"), $"field '{e.Path}.name': '{environment}' must be one of dev, stage, prod");
            }

            var label = e.String("label") ?? PromotionPolicy.DefaultLabel(cloud, environment);
            // GitHub refuses label names longer than 50 characters; a comma would split it in Prow's /label.
            if (label.Trim().Length == 0 || label.Length > 50 || label.Contains(',', StringComparison.Ordinal) || label.Any(char.IsControl))
            {
                e.Diagnostics.Error(e.At("label"), $"field '{e.Path}.label': '{label}' is not a GitHub label (1 to 50 characters, no comma)");
            }

            var rollout = e.Map("rollout") is { } ro ? RolloutPolicyReader.Read(ro, environment) : null;
            return e.Finish(new PromotionStage { Environment = environment, Label = label, Rollout = rollout });
        });
        if (stages.Length < 2)
        {
            r.Diagnostics.Error(r.Has("environments") ? r.At("environments") : r.Location, $"field '{r.Path}.environments': a promotion names at least two environments, in the order a revision travels (e.g. dev, stage, prod)");
        }

        foreach (var duplicate in stages.GroupBy(s => s.Environment).Where(g => g.Count() > 1))
        {
            r.Diagnostics.Error(duplicate.Last().Location, $"environment '{duplicate.Key}' is named twice in {r.Path}.environments");
        }

        foreach (var duplicate in stages.DistinctBy(s => s.Environment).GroupBy(s => s.Label, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            r.Diagnostics.Error(duplicate.Last().At("label"), $"label '{duplicate.Key}' starts the deploys of two environments in {r.Path}.environments");
        }

        return r.Finish(new PromotionPolicy { Repository = repository, Branch = branch, Environments = stages });
    }

    private static ServiceEntry? ReadService(MapReader r)
    {
        var name = r.RequiredString("name");
        CheckName(name, r.At("name"), "service name", r.Diagnostics);
        var chart = r.Map("chart") is { } c ? ReadChart(c) : null;
        if (chart is null && !r.Has("chart"))
        {
            r.Diagnostics.Error(r.Location, $"missing required field '{r.Path}.chart': give {{path: DIR}} or {{repository: URL, name: NAME, version: X}}");
        }

        var entry = new ServiceEntry
        {
            Name = name,
            Chart = chart ?? new ChartReference(),
            Namespace = r.String("namespace"),
            Release = r.String("release"),
            Provides = r.Strings("provides"),
            Jobs = r.Strings("jobs"),
            DependsOn = Edges(r, "dependsOn", reasonRequired: false),
            IgnoreDependsOn = Edges(r, "ignoreDependsOn", reasonRequired: true),
            EstimatedDuration = Duration(r, "estimatedDuration"),
            Test = r.Bool("test"),
            Timeout = Duration(r, "timeout"),
        };
        if (entry.Release is { } release)
        {
            CheckName(release, r.At("release"), "release name", r.Diagnostics);
        }

        return r.Finish(entry);
    }

    private static ChartReference ReadChart(MapReader r)
    {
        var chart = new ChartReference
        {
            Path = r.String("path"),
            Repository = r.String("repository"),
            Name = r.String("name"),
            Version = r.String("version"),
        };
        if (chart.Path is not null && (chart.Repository ?? chart.Name ?? chart.Version) is not null)
        {
            r.Diagnostics.Error(r.Location, $"field '{r.Path}': give either path or repository+name+version, not both");
        }
        else if (chart.Path is null && (chart.Repository is null || chart.Name is null || chart.Version is null))
        {
            var missing = new[] { ("repository", chart.Repository), ("name", chart.Name), ("version", chart.Version) }.Where(f => f.Item2 is null).Select(f => f.Item1);
            r.Diagnostics.Error(r.Location, $"field '{r.Path}': a repository chart needs {string.Join(", ", missing)} (or give path: DIR for a chart in the site repository)");
        }
        else if (chart.Path is { } path && (path.StartsWith('/') || path.Split('/').Contains("..")))
        {
            r.Diagnostics.Error(r.At("path"), $"field '{r.Path}.path': '{path}' must be a relative path inside the site repository");
        }

        return r.Finish(chart);
    }

    /// <summary>Edges written as names or as <c>{service, reason}</c>.</summary>
    private static ImmutableArray<EdgeOverride> Edges(MapReader r, string key, bool reasonRequired)
    {
        if (!r.Has(key))
        {
            return [];
        }

        // Plain names are allowed for dependsOn (ARCHITECTURE.md writes them so); dropping an edge
        // the charts declare always needs a reason, for whoever wonders later why it is gone.
        var named = r.Peek(key) is { } items && items.All(i => i is not TreeMapping);
        if (named && !reasonRequired)
        {
            var at = r.At(key);
            return [.. r.Strings(key).Select(s => new EdgeOverride { Service = s, Location = at })];
        }

        if (named)
        {
            r.Diagnostics.Error(r.At(key), $"field '{r.Path}.{key}': write each edge as {{service: NAME, reason: WHY}}; dropping an edge the chart declares needs a reason");
            r.Ignore(key);
            return [];
        }

        return r.List(key, e =>
        {
            var edge = new EdgeOverride { Service = e.RequiredString("service"), Reason = reasonRequired ? e.RequiredString("reason") : e.String("reason") };
            return e.Finish(edge);
        });
    }

    private static TimeSpan? Duration(MapReader r, string key)
    {
        if (r.String(key) is not { } text)
        {
            return null;
        }

        if (GoDuration.TryParse(text, out var d) && d > TimeSpan.Zero)
        {
            return d;
        }

        r.Diagnostics.Error(r.At(key), $"field '{r.Path}.{key}': '{text}' is not a positive duration such as 90s, 5m or 1h30m");
        return null;
    }

    public static SiteDefinition? LoadSite(IRepositoryFiles files, string site, string displayRoot, DiagnosticBag diagnostics)
    {
        var path = SiteFile(site);
        if (files.ReadText(path) is null)
        {
            var known = SiteNames(files);
            diagnostics.Error(new SourceLocation(Display(displayRoot, path), 0, 0),
                $"no site '{site}' ({files.Revision}): {(known.Count == 0 ? "the repository has no sites/<site>/site.yaml" : "sites are " + string.Join(", ", known))}");
            return null;
        }

        var root = ReadDocument(files, path, displayRoot, "Site", diagnostics);
        if (root is null)
        {
            return null;
        }

        var name = Name(root);
        if (name != site && name.Length > 0)
        {
            diagnostics.Error(root.At("metadata"), $"metadata.name '{name}' must match the site's folder name '{site}'");
        }

        if (Spec(root) is not { } spec)
        {
            return null;
        }

        var environment = spec.RequiredString("environment");
        if (environment.Length > 0 && !Environments.Contains(environment))
        {
            diagnostics.Error(spec.At("environment"), $"field 'spec.environment': '{environment}' must be one of dev, stage, prod");
        }

        var region = spec.RequiredString("region");
        if (region.Length > 0)
        {
            CheckName(region, spec.At("region"), "region", diagnostics);
        }

        var cluster = spec.Map("cluster") is { } c
            ? c.Finish(new ClusterTarget { Context = c.String("context"), Namespace = c.String("namespace") ?? "openstack", Kubeconfig = c.String("kubeconfig") })
            : new ClusterTarget();
        var executor = spec.Map("executor") is { } e ? ReadExecutor(e, diagnostics) : new SiteExecutor();
        var features = spec.Strings("features");
        foreach (var (feature, i) in features.Select((f, i) => (f, i)))
        {
            if (!FeatureName().IsMatch(feature))
            {
                diagnostics.Error(spec.At($"features[{i}]") is var at && at.Line > 0 ? at : spec.At("features"), $"feature '{feature}' must be a file name (letters, digits, '.', '_', '-')");
            }
        }

        var services = spec.Strings("services");
        if (services.IsEmpty)
        {
            diagnostics.Error(spec.Has("services") ? spec.At("services") : spec.Location, "field 'spec.services': a site enables at least one service");
        }

        var definition = spec.Finish(new SiteDefinition
        {
            Name = name.Length > 0 ? name : site,
            Environment = environment,
            Region = region,
            Cluster = cluster,
            Executor = executor,
            Features = features,
            Services = services,
        });
        root.CheckUnknown();
        return diagnostics.HasErrors ? null : definition;
    }

    /// <summary>The one mapping document of <paramref name="path"/>, checked for apiVersion and kind.</summary>
    private static MapReader? ReadDocument(IRepositoryFiles files, string path, string displayRoot, string kind, DiagnosticBag diagnostics)
    {
        var display = Display(displayRoot, path);
        if (files.ReadText(path) is not { } text)
        {
            diagnostics.Error(new SourceLocation(display, 0, 0), $"file not found ({files.Revision}): a site repository has {CatalogFile} at its root");
            return null;
        }

        if (ResourceLoader.ParseYaml(display, text, diagnostics) is not { } documents)
        {
            return null;
        }

        var mappings = documents.OfType<TreeMapping>().ToList();
        if (mappings.Count != 1 || documents.Count != 1)
        {
            diagnostics.Error(new SourceLocation(display, 1, 1), $"expected one YAML document, a mapping with kind: {kind}");
            return null;
        }

        var root = new MapReader(mappings[0], display, "", diagnostics);
        var apiVersion = root.String("apiVersion");
        var actual = root.String("kind");
        if (apiVersion != ApiVersion)
        {
            diagnostics.Error(root.Has("apiVersion") ? root.At("apiVersion") : root.Location, $"field 'apiVersion' must be {ApiVersion}, not {(apiVersion is null ? "missing" : $"'{apiVersion}'")}");
        }

        if (actual != kind)
        {
            diagnostics.Error(root.Has("kind") ? root.At("kind") : root.Location, $"field 'kind' must be {kind} in {path}, not {(actual is null ? "missing" : $"'{actual}'")}");
        }

        return diagnostics.HasErrors ? null : root;
    }

    /// <summary>The document's <c>spec</c>; null, with an error, when it has none (a document without one is not read further).</summary>
    private static MapReader? Spec(MapReader root)
    {
        var spec = root.Map("spec");
        if (spec is null)
        {
            root.Diagnostics.Error(root.Location, "missing required field 'spec'");
            root.CheckUnknown();
        }

        return spec;
    }

    private static string Name(MapReader root)
    {
        var meta = root.Map("metadata");
        if (meta is null)
        {
            root.Diagnostics.Error(root.Location, "missing required field 'metadata.name'");
            return "";
        }

        var name = meta.RequiredString("name");
        meta.Ignore("labels", "annotations");
        meta.CheckUnknown();
        return name;
    }

    private static SiteExecutor ReadExecutor(MapReader r, DiagnosticBag diagnostics)
    {
        var kind = r.String("kind") ?? "local";
        if (kind is not ("local" or "kubernetes"))
        {
            diagnostics.Error(r.At("kind"), $"field 'spec.executor.kind': '{kind}' must be local or kubernetes");
        }

        var ns = r.String("namespace") ?? SiteExecutor.DefaultNamespace;
        CheckName(ns, r.At("namespace"), "executor namespace", diagnostics);
        var account = r.String("serviceAccount") ?? SiteExecutor.DefaultServiceAccount;
        CheckName(account, r.At("serviceAccount"), "executor service account", diagnostics);
        return r.Finish(new SiteExecutor { Kind = kind, Namespace = ns, ServiceAccount = account });
    }

    private static void CheckName(string name, SourceLocation at, string what, DiagnosticBag diagnostics)
    {
        // Names become Helm releases and Tekton task names: Kubernetes DNS-1123 labels.
        if (name.Length is 0 or > 53 || !DnsLabel().IsMatch(name))
        {
            diagnostics.Error(at, $"{what} '{name}' must be lower-case letters, digits and '-', start and end with a letter or digit, at most 53 characters (a Helm release name)");
        }
    }

    /// <summary>A repository path as shown in diagnostics.</summary>
    public static string Display(string displayRoot, string path) =>
        displayRoot.Length == 0 || displayRoot == "." ? path : $"{displayRoot.TrimEnd('/')}/{path}";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex FeatureName();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex GitHubRepository();
}
