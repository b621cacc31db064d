using Mothership.Cloud.Sites;
using Mothership.Cloud.Sources;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Values;

/// <summary>
/// The values layers of a service in a site, lowest first: OpenStack-Helm feature overrides
/// (<c>values_overrides/&lt;chart&gt;/&lt;feature&gt;.yaml</c>, in the site's order), then the
/// repository's own layers, global → environment → region → site. Features come first because
/// they are upstream's generic per-chart overrides (a release's image tags, TLS); the operator's
/// own files are more specific and win over them. Every layer file is optional.
/// </summary>
public static class ValueLayers
{
    /// <summary>Where each layer's file would be, whether or not it exists.</summary>
    public static IReadOnlyList<ValueLayer> Candidates(SiteDefinition site, ServiceEntry service)
    {
        var chart = ChartName(service.Chart);
        var layers = site.Features.Select(f => new ValueLayer($"feature {f}", $"values_overrides/{chart}/{f}.yaml")).ToList();
        layers.Add(new ValueLayer("global", $"values/global/{service.Name}.yaml"));
        layers.Add(new ValueLayer($"environment {site.Environment}", $"values/environments/{site.Environment}/{service.Name}.yaml"));
        layers.Add(new ValueLayer($"region {site.Region}", $"values/regions/{site.Region}/{service.Name}.yaml"));
        layers.Add(new ValueLayer($"site {site.Name}", $"sites/{site.Name}/values/{service.Name}.yaml"));
        return layers;
    }

    /// <summary>The chart's name as OpenStack-Helm's values_overrides folders use it.</summary>
    public static string ChartName(ChartReference chart) =>
        chart.Name ?? chart.Path?.TrimEnd('/').Split('/')[^1] ?? "";

    /// <summary>Merges the service's layers; null (with diagnostics naming the file and line) when a file is not valid values.</summary>
    public static RenderedValues? Render(IRepositoryFiles files, SiteDefinition site, ServiceEntry service, string displayRoot, DiagnosticBag diagnostics)
    {
        var present = new List<ValueLayer>();
        ValueNode merged = ValueMap.Empty;
        var ok = true;
        foreach (var layer in Candidates(site, service))
        {
            if (files.ReadText(layer.Path) is not { } text)
            {
                continue;
            }

            present.Add(layer);
            if (ValueFileReader.Read(SiteRepositoryLoader.Display(displayRoot, layer.Path), text, diagnostics) is { } values)
            {
                merged = ValueMap.Merge(merged, values);
            }
            else
            {
                ok = false;
            }
        }

        return ok ? new RenderedValues(present, (ValueMap)merged) : null;
    }

    /// <summary>
    /// Checks what only shows across services: a site feature with no override file for any
    /// enabled chart (most likely a typo), and values files named after no service, which would
    /// otherwise be ignored without a word.
    /// </summary>
    public static void Check(IRepositoryFiles files, SiteRepository repository, string displayRoot, DiagnosticBag diagnostics)
    {
        var site = repository.Site;
        for (var i = 0; i < site.Features.Length; i++)
        {
            var feature = site.Features[i];
            var expected = repository.Services.Select(s => $"values_overrides/{ChartName(s.Chart)}/{feature}.yaml").ToList();
            if (!expected.Any(p => files.ReadText(p) is not null))
            {
                var at = site.At($"features[{i}]") is { Line: > 0 } a ? a : site.At("features");
                diagnostics.Error(at, $"missing values file for feature '{feature}': none of {string.Join(", ", expected.Take(3))}{(expected.Count > 3 ? ", …" : "")} exists");
            }
        }

        var known = repository.Catalog.Services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var enabled = repository.Services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var folders = new List<string> { "values/global", $"sites/{site.Name}/values" };
        folders.AddRange(files.Directories("values/environments").Select(d => $"values/environments/{d}"));
        folders.AddRange(files.Directories("values/regions").Select(d => $"values/regions/{d}"));
        foreach (var folder in folders)
        {
            foreach (var path in files.List(folder).Where(p => !p[(folder.Length + 1)..].Contains('/')))
            {
                var file = SiteRepositoryLoader.Display(displayRoot, path);
                var name = Path.GetFileName(path);
                var service = name.EndsWith(".yaml", StringComparison.Ordinal) ? name[..^5] : null;
                if (service is null)
                {
                    diagnostics.Warning(new SourceLocation(file, 0, 0), "ignored: values files end in .yaml");
                }
                else if (!known.Contains(service))
                {
                    diagnostics.Warning(new SourceLocation(file, 0, 0), $"ignored: no service '{service}' in {SiteRepositoryLoader.CatalogFile}");
                }
                else if (folder.StartsWith("sites/", StringComparison.Ordinal) && !enabled.Contains(service))
                {
                    diagnostics.Warning(new SourceLocation(file, 0, 0), $"ignored: service '{service}' is not enabled in site '{site.Name}'");
                }
            }
        }
    }
}
