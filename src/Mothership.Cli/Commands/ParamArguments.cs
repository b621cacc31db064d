using System.Collections.Immutable;
using System.Text.Json;
using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton;

namespace Mothership.Cli.Commands;

/// <summary>
/// <c>-p NAME=VALUE</c>, read the same way by <c>mship run</c> and <c>mship start</c>: everything
/// after the first <c>=</c> is the value (<c>NAME=</c> is the empty string); a value starting with
/// <c>[</c> or <c>{</c> is a JSON array or object and must be valid JSON; anything without
/// <c>NAME=</c> is a mistake, reported with the argument.
/// </summary>
internal static class ParamArguments
{
    public const string Flag = "-p";

    public static ImmutableArray<Param> Parse(IEnumerable<string> values, DiagnosticBag bag)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(bag);
        var result = ImmutableArray.CreateBuilder<Param>();
        foreach (var v in values)
        {
            var eq = v.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                bag.Error(new SourceLocation(Flag, 0, 0), $"'{v}' is not NAME=VALUE");
                continue;
            }

            var name = v[..eq];
            var text = v[(eq + 1)..];
            var trimmed = text.TrimStart();
            if (trimmed.StartsWith('[') || trimmed.StartsWith('{'))
            {
                try
                {
                    using var _ = JsonDocument.Parse(text);
                }
                catch (JsonException e)
                {
                    bag.Error(new SourceLocation(Flag, 0, 0), $"param '{name}': value looks like JSON but is not valid: {e.Message}");
                    continue;
                }
            }

            if (result.Any(p => p.Name == name))
            {
                bag.Error(new SourceLocation(Flag, 0, 0), $"param '{name}' is given twice");
                continue;
            }

            result.Add(new Param { Name = name, Value = ParamValue.Parse(text) });
        }

        return result.ToImmutable();
    }
}
