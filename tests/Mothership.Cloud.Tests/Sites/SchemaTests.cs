using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Mothership.Cloud.Sites;
using Mothership.Cloud.Values;
using Mothership.Model.Diagnostics;

namespace Mothership.Cloud.Tests.Sites;

/// <summary>The editor schemas in <c>schemas/</c> agree with the loader and with <c>examples/cloud</c>.</summary>
public sealed class SchemaTests
{
    private static string Root => Fixtures.RepositoryRoot();

    // JsonSchema.Net registers a schema globally by its $id: build each one once per process.
    private static readonly Dictionary<string, Lazy<JsonSchema>> Schemas = new[] { "cloud.schema.json", "site.schema.json" }
        .ToDictionary(n => n, n => new Lazy<JsonSchema>(() => JsonSchema.FromText(File.ReadAllText(Path.Combine(Root, "schemas", n)))));

    private static JsonSchema Schema(string name) => Schemas[name].Value;

    /// <summary>YAML as JSON, typed as YAML 1.2's core schema types plain scalars.</summary>
    private static JsonNode? Json(ValueNode node) => node switch
    {
        ValueMap m => new JsonObject(m.Entries.Select(e => KeyValuePair.Create(e.Key, Json(e.Value)))),
        ValueList l => new JsonArray([.. l.Items.Select(Json)]),
        ValueScalar { IsNull: true } => null,
        ValueScalar { Plain: true, Text: "true" or "false" } s => JsonValue.Create(s.Text == "true"),
        ValueScalar { Plain: true } s when double.TryParse(s.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
        ValueScalar s => JsonValue.Create(s.Text),
        _ => null,
    };

    private static JsonNode Load(string path) => Json(ValueFileReader.Read(path, File.ReadAllText(path), new DiagnosticBag())!)!;

    private static EvaluationResults Evaluate(JsonSchema schema, JsonNode document) =>
        schema.Evaluate(JsonDocument.Parse(document.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

    [Fact]
    public void Examples_ValidateAgainstTheSchemas()
    {
        var example = Path.Combine(Root, "examples", "cloud");

        Assert.True(Evaluate(Schema("cloud.schema.json"), Load(Path.Combine(example, "cloud.yaml"))).IsValid);
        foreach (var site in Directory.GetFiles(Path.Combine(example, "sites"), "site.yaml", SearchOption.AllDirectories))
        {
            Assert.True(Evaluate(Schema("site.schema.json"), Load(site)).IsValid, site);
        }
    }

    [Fact]
    public void CloudSchema_RejectsAnUnknownField()
    {
        var document = JsonNode.Parse("""{"apiVersion":"mothership.io/v1","kind":"Cloud","metadata":{"name":"c"},"spec":{"services":[{"name":"db","chart":{"path":"charts/db"},"colour":"blue"}]}}""")!;

        Assert.False(Evaluate(Schema("cloud.schema.json"), document).IsValid);
    }

    [Fact]
    public void Loader_AcceptsEveryServicePropertyTheSchemaNames()
    {
        var properties = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "schemas", "cloud.schema.json")))!["$defs"]!["service"]!["properties"]!.AsObject().Select(p => p.Key).ToList();
        var values = new Dictionary<string, string>
        {
            ["name"] = "db", ["chart"] = "{path: charts/db}", ["namespace"] = "infra", ["release"] = "db", ["provides"] = "[oslo_db]",
            ["jobs"] = "[db-init]", ["dependsOn"] = "[{service: cache, reason: r}]", ["ignoreDependsOn"] = "[{service: cache, reason: r}]",
            ["estimatedDuration"] = "5m", ["test"] = "true", ["timeout"] = "10m",
        };
        Assert.Equal(values.Keys.Order(), properties.Order());
        var files = new Dictionary<string, string>
        {
            ["cloud.yaml"] = "apiVersion: mothership.io/v1\nkind: Cloud\nmetadata: {name: c}\nspec:\n  externalEndpoints: [{endpoint: x, reason: y}]\n  services:\n    - name: cache\n      chart: {path: charts/cache}\n    -\n" +
                string.Concat(properties.Select(p => $"      {p}: {values[p]}\n")),
        };
        var bag = new DiagnosticBag();

        var catalog = SiteRepositoryLoader.LoadCatalog(new MemoryFiles(files), "", bag);

        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        Assert.NotNull(catalog);
    }

    [Fact]
    public void Loader_AcceptsEveryRolloutPropertyTheSchemaNames()
    {
        var properties = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "schemas", "cloud.schema.json")))!["$defs"]!["rollout"]!["properties"]!.AsObject().Select(p => p.Key).ToList();
        var values = new Dictionary<string, string>
        {
            ["canary"] = "{perRegion: 1}", ["waves"] = "{by: region}", ["maxParallelSites"] = "5", ["haltOnFailure"] = "true", ["failureBudget"] = "1",
            ["bake"] = "{duration: 5m}", ["gates"] = "[{before: each, approvers: sre}]", ["windows"] = "{timeZone: UTC, allow: [{days: [Mon], hours: \"01:00-02:00\"}], freeze: [2026-12-24]}",
        };
        Assert.Equal(values.Keys.Order(), properties.Order());
        var yaml = "apiVersion: mothership.io/v1\nkind: Cloud\nmetadata: {name: c}\nspec:\n  services: [{name: db, chart: {path: charts/db}}]\n  promotion:\n    environments:\n      - name: stage\n      - name: prod\n        rollout:\n" +
            string.Concat(properties.Select(p => $"          {p}: {values[p]}\n"));
        var bag = new DiagnosticBag();

        var catalog = SiteRepositoryLoader.LoadCatalog(new MemoryFiles(new() { ["cloud.yaml"] = yaml }), "", bag);

        Assert.False(bag.HasErrors, string.Join("\n", bag.Items));
        Assert.NotNull(catalog!.Promotion!.Environments[1].Rollout);
        Assert.True(Evaluate(Schema("cloud.schema.json"), Json(ValueFileReader.Read("cloud.yaml", yaml, new DiagnosticBag())!)!).IsValid);
    }
}
