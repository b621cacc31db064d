using Mothership.Cloud.Charts;
using Mothership.Cloud.Planning;
using Mothership.Cloud.Sources;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Tests;

/// <summary>A site repository held in memory: what the loader and planner read, without a disk.</summary>
internal sealed class MemoryFiles(Dictionary<string, string> files) : IRepositoryFiles
{
    public string Revision => "memory";

    public string? ReadText(string path) => files.TryGetValue(path, out var text) ? text : null;

    public string? Fingerprint(string path) => ReadText(path) is { } text ? text.GetHashCode(StringComparison.Ordinal).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;

    public IReadOnlyList<string> List(string directory) =>
        [.. files.Keys.Where(k => k.StartsWith(directory.TrimEnd('/') + "/", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    public IReadOnlyList<string> Directories(string directory)
    {
        var prefix = directory.Length == 0 ? "" : directory.TrimEnd('/') + "/";
        return [.. files.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal) && k[prefix.Length..].Contains('/'))
            .Select(k => k[prefix.Length..].Split('/')[0]).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>A synthetic OpenStack-Helm-like chart at <c>charts/NAME</c>: what it waits for and which endpoints it names.</summary>
    public static void Chart(Dictionary<string, string> files, string name, string[]? services = null, (string Type, string Host)[]? endpoints = null, string[]? jobs = null, string[]? pods = null)
    {
        files[$"charts/{name}/Chart.yaml"] = $"apiVersion: v2\nname: {name}\nversion: 1.0.0\n";
        var values = new System.Text.StringBuilder("dependencies:\n  static:\n    api:\n");
        values.Append("      services:\n");
        foreach (var s in services ?? [])
        {
            values.Append($"        - {{endpoint: internal, service: {s}}}\n");
        }

        values.Append("      jobs:\n");
        foreach (var j in jobs ?? [])
        {
            values.Append($"        - {j}\n");
        }

        values.Append("      pod:\n");
        foreach (var p in pods ?? [])
        {
            values.Append($"        - labels: {{application: {p}, component: x}}\n");
        }

        values.Append("endpoints:\n");
        foreach (var (type, host) in endpoints ?? [])
        {
            values.Append($"  {type}:\n    hosts:\n      default: {host}\n");
        }

        files[$"charts/{name}/values.yaml"] = values.ToString();
    }

    /// <summary>cloud.yaml with one path chart per service and the given extra text per service.</summary>
    public static string Catalog(params (string Name, string Extra)[] services) =>
        "apiVersion: mothership.io/v1\nkind: Cloud\nmetadata: {name: test}\nspec:\n  services:\n" +
        string.Concat(services.Select(s => $"    - name: {s.Name}\n      chart: {{path: charts/{s.Name}}}\n{s.Extra}"));

    public static string Site(string name, string environment, string region, params string[] services) =>
        $"apiVersion: mothership.io/v1\nkind: Site\nmetadata: {{name: {name}}}\nspec:\n  environment: {environment}\n  region: {region}\n  services: [{string.Join(", ", services)}]\n";

    /// <summary>Plans <paramref name="site"/>; the plan, or null with the diagnostics.</summary>
    public static (DeployPlan? Plan, DiagnosticBag Diagnostics) Plan(Dictionary<string, string> files, string site, ChartStore? charts = null)
    {
        var bag = new DiagnosticBag();
        var memory = new MemoryFiles(files);
        var loaded = RepositoryPlanner.Load(memory, site, "", charts ?? new ChartStore(null), bag);
        if (loaded is null)
        {
            return (null, bag);
        }

        var plan = DeployPlanner.Plan(loaded, null, "memory");
        bag.AddRange(plan.Diagnostics);
        return (plan, bag);
    }
}
