using System.Collections.Immutable;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;

namespace Mothership.Ci.Owners;

/// <summary>
/// The repository root's <c>OWNERS_ALIASES</c> (Prow's <c>RepoAliases</c>): names for groups of
/// logins that OWNERS files may use in place of a login. Names and logins are lower case.
/// </summary>
public sealed record OwnersAliases
{
    /// <summary>The file's name (Prow's default <c>ownersconfig.Filenames.OwnersAliases</c>).</summary>
    public const string FileName = "OWNERS_ALIASES";

    /// <summary>No alias.</summary>
    public static OwnersAliases None { get; } = new();

    /// <summary>The members of each alias, by lower-case name.</summary>
    public ImmutableDictionary<string, ImmutableHashSet<string>> Groups { get; init; } = ImmutableDictionary<string, ImmutableHashSet<string>>.Empty;

    /// <summary>
    /// Reads an <c>OWNERS_ALIASES</c> file: <c>aliases</c> maps each name to a list of logins (a
    /// mapping's keys, or nothing, are accepted as Prow does). A file that cannot be read is
    /// <see cref="None"/> with the reason in <paramref name="diagnostics"/>, as Prow uses an empty map.
    /// </summary>
    public static OwnersAliases Parse(string text, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        var problems = new DiagnosticBag();
        var parsed = Read(text, problems);
        diagnostics.AddRange(problems.Items);
        return problems.HasErrors ? None : parsed;
    }

    private static OwnersAliases Read(string text, DiagnosticBag diagnostics)
    {
        if (OwnersYaml.Root(FileName, text, diagnostics) is not { } node)
        {
            return None;
        }

        var root = new MapReader(node, FileName, "", diagnostics);
        var groups = ImmutableDictionary.CreateBuilder<string, ImmutableHashSet<string>>();
        if (root.Map("aliases") is { } aliases)
        {
            foreach (var name in aliases.Keys.ToList())
            {
                // Prow takes a mapping's keys as the members; a list is the usual form.
                ImmutableArray<string> members = aliases.Peek(name) is not null ? aliases.Strings(name)
                    : aliases.Map(name) is { } map ? [.. map.Keys] : [];
                groups[RepoOwners.NormalizeLogin(name)] = [.. members.Select(RepoOwners.NormalizeLogin)];
            }
        }

        OwnersYaml.WarnUnknown(root, ["aliases"]);
        return new OwnersAliases { Groups = groups.ToImmutable() };
    }

    /// <summary>The logins with each alias replaced by its members (Prow's <c>ExpandAliases</c>).</summary>
    public ImmutableHashSet<string> Expand(IEnumerable<string> logins) =>
        [.. logins.SelectMany(l => Groups.TryGetValue(l, out var members) ? members : [l])];
}
