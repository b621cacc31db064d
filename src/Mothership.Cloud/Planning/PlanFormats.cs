using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mothership.Cloud.Planning;

/// <summary>The ways <c>mship plan</c> prints a plan: text for people, JSON for tools, Mermaid and DOT for pictures.</summary>
public static class PlanFormats
{
    public static JsonObject Json(DeployPlan plan) => new()
    {
        ["site"] = plan.Site,
        ["from"] = plan.From,
        ["to"] = plan.To,
        ["services"] = new JsonArray([.. plan.Services.Select(s => (JsonNode)new JsonObject
        {
            ["name"] = s.Name,
            ["chart"] = s.Chart,
            ["namespace"] = s.Namespace,
            ["release"] = s.Release,
            ["dependsOn"] = Strings(s.DependsOn),
            ["wave"] = s.Wave,
            ["group"] = s.Group,
            ["changed"] = s.Changed,
            ["run"] = s.Run,
            ["changes"] = Strings(s.Changes),
            ["edges"] = new JsonArray([.. s.Edges.Select(e => (JsonNode)new JsonObject { ["to"] = e.To, ["origin"] = e.Origin })]),
            ["estimatedDuration"] = Duration(s.EstimatedDuration),
        })]),
        ["waves"] = new JsonArray([.. plan.Waves.Select(w => (JsonNode)Strings(w))]),
        ["external"] = new JsonArray([.. plan.External.Select(e => (JsonNode)new JsonObject
        {
            ["service"] = e.Service,
            ["needs"] = e.Needs,
            ["reason"] = e.Reason,
            ["acknowledged"] = e.Acknowledged,
        })]),
        ["ignored"] = new JsonArray([.. plan.Ignored.Select(i => (JsonNode)new JsonObject { ["service"] = i.Service, ["dependsOn"] = i.DependsOn, ["reason"] = i.Reason })]),
        ["removed"] = Strings(plan.Removed),
        ["criticalPath"] = new JsonObject { ["services"] = Strings(plan.CriticalPath.Services), ["duration"] = Duration(plan.CriticalPath.Duration) },
    };

    public static string JsonText(DeployPlan plan) => Json(plan).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Several sites' plans: a JSON array of <see cref="Json"/>'s objects.</summary>
    public static string JsonText(IEnumerable<DeployPlan> plans) =>
        new JsonArray([.. plans.Select(p => (JsonNode)Json(p))]).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    public static string Text(DeployPlan plan)
    {
        var b = new StringBuilder();
        b.Append($"Site {plan.Site} at {plan.To}");
        b.AppendLine(plan.From is null ? " (no base revision: every service is deployed)" : $", changes since {plan.From}");
        b.AppendLine();
        var width = plan.Services.Select(s => s.Name.Length).DefaultIfEmpty(0).Max();
        for (var w = 0; w < plan.Waves.Length; w++)
        {
            b.AppendLine($"Wave {w + 1}");
            foreach (var s in plan.Services.Where(s => s.Wave == w + 1))
            {
                b.Append($"  {(s.Run ? "run " : "skip")}  {s.Name.PadRight(width)}  {s.Chart}");
                if (s.Group is { } group)
                {
                    b.Append($"  [group {group}]");
                }

                b.AppendLine(s.DependsOn.IsEmpty ? "" : $"  after {string.Join(", ", s.DependsOn)}");
                if (plan.From is not null && s.Changed)
                {
                    foreach (var change in s.Changes)
                    {
                        b.AppendLine($"        {new string(' ', width)}  changed: {change}");
                    }
                }
            }
        }

        if (plan.External.Length > 0)
        {
            b.AppendLine().AppendLine("External (not deployed by this site)");
            // Acknowledged needs (every chart's image registry) read as one line each, not one per service.
            foreach (var e in plan.External.Where(e => !e.Acknowledged))
            {
                b.AppendLine($"  ! {e.Service} needs {e.Needs}: {e.Reason}");
            }

            foreach (var g in plan.External.Where(e => e.Acknowledged).GroupBy(e => (e.Needs, e.Reason)))
            {
                b.AppendLine($"    {g.Key.Needs} ({g.Count()} services): {g.Key.Reason}");
            }
        }

        if (plan.Ignored.Length > 0)
        {
            b.AppendLine().AppendLine("Ignored edges (cloud.yaml)");
            foreach (var i in plan.Ignored)
            {
                b.AppendLine($"  {i.Service} → {i.DependsOn}: {i.Reason}");
            }
        }

        if (plan.Removed.Length > 0)
        {
            b.AppendLine().AppendLine($"No longer enabled (left installed; uninstall by hand): {string.Join(", ", plan.Removed)}");
        }

        b.AppendLine();
        var running = plan.Services.Count(s => s.Run);
        b.AppendLine(plan.CriticalPath.Services.IsEmpty
            ? "Critical path: nothing runs"
            : $"Critical path ({Duration(plan.CriticalPath.Duration)} estimated): {string.Join(" → ", plan.CriticalPath.Services)}");
        b.AppendLine($"{running} of {plan.Services.Length} services will run in {plan.Waves.Length} waves.");
        return b.ToString();
    }

    public static string Mermaid(DeployPlan plan)
    {
        var b = new StringBuilder("flowchart LR\n");
        foreach (var wave in plan.Waves.Select((w, i) => (w, i)))
        {
            b.AppendLine($"  subgraph wave{wave.i + 1}[\"wave {wave.i + 1}\"]");
            foreach (var name in wave.w)
            {
                b.AppendLine($"    {Id(name)}[\"{name}\"]");
            }

            b.AppendLine("  end");
        }

        foreach (var s in plan.Services)
        {
            foreach (var d in s.DependsOn)
            {
                b.AppendLine($"  {Id(d)} --> {Id(s.Name)}");
            }
        }

        b.AppendLine("  classDef skip fill:#eee,stroke:#999,color:#777");
        var skipped = plan.Services.Where(s => !s.Run).Select(s => Id(s.Name)).ToList();
        if (skipped.Count > 0)
        {
            b.AppendLine($"  class {string.Join(',', skipped)} skip");
        }

        return b.ToString();
    }

    public static string Dot(DeployPlan plan)
    {
        var b = new StringBuilder($"digraph \"{plan.Site}\" {{\n  rankdir=LR;\n  node [shape=box, style=rounded];\n");
        foreach (var wave in plan.Waves)
        {
            b.AppendLine($"  {{ rank=same; {string.Join(' ', wave.Select(n => $"\"{n}\";"))} }}");
        }

        foreach (var s in plan.Services.Where(s => !s.Run))
        {
            b.AppendLine($"  \"{s.Name}\" [style=\"rounded,dashed\", fontcolor=gray50];");
        }

        foreach (var s in plan.Services)
        {
            foreach (var d in s.DependsOn)
            {
                b.AppendLine($"  \"{d}\" -> \"{s.Name}\";");
            }
        }

        return b.Append("}\n").ToString();
    }

    /// <summary>Go's duration form (<c>1h5m</c>, <c>90s</c> as <c>1m30s</c>), as Tekton writes timeouts.</summary>
    public static string Duration(TimeSpan d)
    {
        if (d <= TimeSpan.Zero)
        {
            return "0s";
        }

        var b = new StringBuilder();
        if ((int)d.TotalHours > 0)
        {
            b.Append($"{(int)d.TotalHours}h");
        }

        if (d.Minutes > 0)
        {
            b.Append($"{d.Minutes}m");
        }

        if (d.Seconds > 0 || b.Length == 0)
        {
            b.Append($"{d.Seconds}s");
        }

        return b.ToString();
    }

    private static JsonArray Strings(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode)JsonValue.Create(i))]);

    private static string Id(string name) => name.Replace('-', '_');
}
