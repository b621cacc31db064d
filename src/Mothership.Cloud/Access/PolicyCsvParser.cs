using System.Collections.Immutable;
using System.Text;
using Mothership.Model.Diagnostics;
using Mothership.Model.Limits;

namespace Mothership.Cloud.Access;

/// <summary>
/// Reads Argo CD's RBAC CSV (<c>policy.csv</c>): <c>p, SUBJECT, RESOURCE, ACTION, OBJECT, EFFECT</c>
/// and <c>g, MEMBER, role:NAME</c> lines, <c>#</c> comment lines, blank lines, whitespace around
/// fields. Every mistake is a diagnostic at <c>FILE:LINE:COL</c> naming the field; a bad line is
/// left out and the rest still read, so every mistake is reported at once. Input is bounded by
/// <see cref="InputLimits.MaxPolicyBytes"/> and <see cref="InputLimits.MaxPolicyLines"/>.
/// </summary>
/// <remarks>
/// Argo CD evaluates this format with Casbin. Casbin.NET is not in our package registry, and the
/// part of Casbin Argo's model uses is small — glob matching of objects, role inheritance through
/// <c>g</c> lines, deny-overrides — so the parser and matcher (<see cref="AccessPolicy"/>) are
/// written here, which also lets every decision name the line that made it.
/// </remarks>
public static class PolicyCsvParser
{
    private const string PFields = "p, SUBJECT, RESOURCE, ACTION, OBJECT, EFFECT";
    private const string GFields = "g, MEMBER, role:NAME";

    /// <summary>Reads and parses the file at <paramref name="path"/>, named as given; a missing or too large file is a diagnostic.</summary>
    public static PolicyFile ReadFile(string path, DiagnosticBag diagnostics, InputLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        limits ??= InputLimits.Default;
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            diagnostics.Error(new SourceLocation(path, 0, 0), "policy file not found");
            return PolicyFile.Empty(path);
        }

        if (info.Length > limits.MaxPolicyBytes)
        {
            diagnostics.Error(new SourceLocation(path, 0, 0), $"policy file of {info.Length} bytes is larger than the limit of {limits.MaxPolicyBytes} bytes");
            return PolicyFile.Empty(path);
        }

        return Parse(path, File.ReadAllText(path), diagnostics, limits);
    }

    /// <summary>Parses <paramref name="text"/>, reporting mistakes as at <paramref name="file"/>.</summary>
    public static PolicyFile Parse(string file, string text, DiagnosticBag diagnostics, InputLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(diagnostics);
        limits ??= InputLimits.Default;
        if (Encoding.UTF8.GetByteCount(text) > limits.MaxPolicyBytes)
        {
            diagnostics.Error(new SourceLocation(file, 0, 0), $"policy of {Encoding.UTF8.GetByteCount(text)} bytes is larger than the limit of {limits.MaxPolicyBytes} bytes");
            return PolicyFile.Empty(file);
        }

        var rules = ImmutableArray.CreateBuilder<PolicyRule>();
        var bindings = ImmutableArray.CreateBuilder<RoleBinding>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (i == limits.MaxPolicyLines && (i < lines.Length - 1 || lines[i].Length > 0))
            {
                diagnostics.Error(new SourceLocation(file, i + 1, 1), $"policy has more than {limits.MaxPolicyLines} lines, the limit");
                break;
            }

            var line = lines[i].TrimEnd('\r');
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var fields = Split(line);
            var origin = new PolicyOrigin(file, i + 1, trimmed);
            var at = (Field f) => new SourceLocation(file, i + 1, f.Column);
            switch (fields[0].Text)
            {
                case "p":
                    if (ParseRule(fields, origin, at, diagnostics) is { } rule)
                    {
                        rules.Add(rule);
                    }

                    break;
                case "g":
                    if (ParseBinding(fields, origin, at, diagnostics) is { } binding)
                    {
                        bindings.Add(binding);
                    }

                    break;
                default:
                    diagnostics.Error(at(fields[0]), $"line type: '{Shown(fields[0].Text)}' is not p (a rule: {PFields}) or g (a role binding: {GFields})");
                    break;
            }
        }

        return new PolicyFile(file, rules.ToImmutable(), bindings.ToImmutable());
    }

    private static PolicyRule? ParseRule(List<Field> fields, PolicyOrigin origin, Func<Field, SourceLocation> at, DiagnosticBag diagnostics)
    {
        if (fields.Count != 6)
        {
            diagnostics.Error(at(fields[0]), $"a p line has 6 fields ({PFields}), this one has {fields.Count}");
            return null;
        }

        var before = diagnostics.Items.Count;
        var (subject, resource, action, obj, effect) = (fields[1], fields[2], fields[3], fields[4], fields[5]);
        CheckSubject("subject", subject, at, diagnostics);
        CheckOneOf("resource", resource, AccessResources.All, at, diagnostics);
        CheckOneOf("action", action, AccessActions.All, at, diagnostics);
        if (CheckValue("object", obj, at, diagnostics) && !obj.Text.Contains('/', StringComparison.Ordinal) && !obj.Text.Contains('*', StringComparison.Ordinal))
        {
            diagnostics.Error(at(obj), $"object: '{Shown(obj.Text)}' matches nothing: objects are ENVIRONMENT/SITE (prod/prod-kr1) or -/NAME for what no site owns; write a glob such as {Shown(obj.Text)}/* or *");
        }

        if (CheckValue("effect", effect, at, diagnostics) && effect.Text is not ("allow" or "deny"))
        {
            diagnostics.Error(at(effect), $"effect: '{Shown(effect.Text)}' is not allow or deny");
        }

        return diagnostics.Items.Count > before ? null
            : new PolicyRule(subject.Text, resource.Text, action.Text, obj.Text, effect.Text == "deny" ? PolicyEffect.Deny : PolicyEffect.Allow, origin);
    }

    private static RoleBinding? ParseBinding(List<Field> fields, PolicyOrigin origin, Func<Field, SourceLocation> at, DiagnosticBag diagnostics)
    {
        if (fields.Count != 3)
        {
            diagnostics.Error(at(fields[0]), $"a g line has 3 fields ({GFields}), this one has {fields.Count}");
            return null;
        }

        var before = diagnostics.Items.Count;
        CheckSubject("member", fields[1], at, diagnostics);
        if (CheckValue("role", fields[2], at, diagnostics) && !AccessRoles.IsRoleName(fields[2].Text))
        {
            diagnostics.Error(at(fields[2]), $"role: '{Shown(fields[2].Text)}' is not role:NAME (NAME: letters, digits, '.', '_', '-', at most 63)");
        }

        return diagnostics.Items.Count > before ? null : new RoleBinding(fields[1].Text, fields[2].Text, origin);
    }

    private static void CheckSubject(string name, Field field, Func<Field, SourceLocation> at, DiagnosticBag diagnostics)
    {
        if (CheckValue(name, field, at, diagnostics) && field.Text.StartsWith(AccessRoles.Prefix, StringComparison.Ordinal) && !AccessRoles.IsRoleName(field.Text))
        {
            diagnostics.Error(at(field), $"{name}: '{Shown(field.Text)}' is not role:NAME (NAME: letters, digits, '.', '_', '-', at most 63)");
        }
    }

    private static void CheckOneOf(string name, Field field, IReadOnlyList<string> known, Func<Field, SourceLocation> at, DiagnosticBag diagnostics)
    {
        if (CheckValue(name, field, at, diagnostics) && field.Text != "*" && !known.Contains(field.Text))
        {
            diagnostics.Error(at(field), $"{name}: '{Shown(field.Text)}' is not one of {string.Join(", ", known)} or *");
        }
    }

    /// <summary>Whether the field has a value worth checking further; empty fields, quotes and control characters are errors.</summary>
    private static bool CheckValue(string name, Field field, Func<Field, SourceLocation> at, DiagnosticBag diagnostics)
    {
        if (field.Text.Length == 0)
        {
            diagnostics.Error(at(field), $"{name}: empty");
            return false;
        }

        if (field.Text.Contains('"', StringComparison.Ordinal))
        {
            // Casbin would unquote; a quoted name here would silently never match, so refuse it.
            diagnostics.Error(at(field), $"{name}: quotes are not part of the format here; write the value bare");
            return false;
        }

        if (field.Text.Any(char.IsControl))
        {
            diagnostics.Error(at(field), $"{name}: holds control characters");
            return false;
        }

        return true;
    }

    /// <summary>A value as an error message shows it: control characters escaped, at most 64 characters.</summary>
    private static string Shown(string text)
    {
        var escaped = new StringBuilder();
        foreach (var c in text.Length > 64 ? text[..64] : text)
        {
            escaped.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c);
        }

        return text.Length > 64 ? escaped + "…" : escaped.ToString();
    }

    /// <summary>The comma-separated fields of <paramref name="line"/>, trimmed, each with the 1-based column where its text starts.</summary>
    private static List<Field> Split(string line)
    {
        var fields = new List<Field>();
        var start = 0;
        while (true)
        {
            var comma = line.IndexOf(',', start);
            var end = comma < 0 ? line.Length : comma;
            var lead = start;
            while (lead < end && char.IsWhiteSpace(line[lead]))
            {
                lead++;
            }

            fields.Add(new Field(line[lead..end].TrimEnd(), lead + 1));
            if (comma < 0)
            {
                return fields;
            }

            start = comma + 1;
        }
    }

    private readonly record struct Field(string Text, int Column);
}
