using System.Collections.Immutable;
using Mothership.Ci.Jobs;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;

namespace Mothership.Ci.Owners;

/// <summary>
/// One <c>OWNERS</c> file (Prow's <c>SimpleConfig</c> or <c>FullConfig</c>): who owns the files
/// of its directory and below, <c>options</c>, and per-file <c>filters</c>.
/// </summary>
/// <param name="Directory">Its directory, relative to the repository root without slashes at either end; empty for the root.</param>
/// <param name="Filters">Who owns what: one filter matching everything for a plain file.</param>
/// <param name="NoParentOwners"><c>options.no_parent_owners</c>: the owners of parent directories do not own this one.</param>
/// <param name="AutoApproveUnownedSubfolders"><c>options.auto_approve_unowned_subfolders</c>: changes in subdirectories without an OWNERS file of their own need no approval.</param>
public sealed record OwnersFile(string Directory, ImmutableArray<OwnersFilter> Filters, bool NoParentOwners = false, bool AutoApproveUnownedSubfolders = false)
{
    /// <summary>The file's name (Prow's default <c>ownersconfig.Filenames.Owners</c>).</summary>
    public const string FileName = "OWNERS";

    private static readonly string[] ConfigKeys = ["approvers", "reviewers", "required_reviewers", "labels", "emeritus_approvers"];
    private static readonly string[] OptionKeys = ["no_parent_owners", "auto_approve_unowned_subfolders"];

    /// <summary>
    /// Reads an OWNERS file of <paramref name="directory"/>; null when it cannot be used, with the
    /// reason in <paramref name="diagnostics"/> at <c>FILE:LINE:COL</c>. As in Prow, a file that
    /// cannot be read is left out (its directory then has no owners of its own) and unknown keys
    /// are ignored, with a warning here. A file with <c>approvers</c> (or reviewers, labels) at the
    /// top ignores its <c>filters</c>, as Prow's does.
    /// </summary>
    public static OwnersFile? Parse(string directory, string text, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(diagnostics);
        directory = directory.Trim('/');
        var file = directory.Length == 0 ? FileName : directory + "/" + FileName;
        var problems = new DiagnosticBag();
        var parsed = Read(directory, file, text, problems);
        diagnostics.AddRange(problems.Items);
        return problems.HasErrors ? null : parsed;
    }

    private static OwnersFile? Read(string directory, string file, string text, DiagnosticBag diagnostics)
    {
        if (OwnersYaml.Root(file, text, diagnostics) is not { } node)
        {
            // An empty file owns nothing; one that is not a mapping has an error already.
            return diagnostics.HasErrors ? null : new OwnersFile(directory, []);
        }

        var root = new MapReader(node, file, "", diagnostics);
        var simple = ReadConfig(root);
        var options = root.Map("options");
        var noParent = options?.Bool("no_parent_owners") ?? false;
        var autoApprove = options?.Bool("auto_approve_unowned_subfolders") ?? false;
        if (options is not null)
        {
            OwnersYaml.WarnUnknown(options, OptionKeys);
        }

        var filters = ImmutableArray.CreateBuilder<OwnersFilter>();
        if (!simple.IsEmpty)
        {
            filters.Add(new OwnersFilter(".*", null, simple));
            if (root.Has("filters"))
            {
                diagnostics.Warning(root.At("filters"), $"{file}: 'filters' is ignored in a file with approvers, reviewers, required_reviewers or labels at the top (as Prow does); put those under a '.*' filter");
                root.Ignore("filters");
            }
        }
        else if (root.Map("filters") is { } map)
        {
            foreach (var pattern in map.Keys.ToList())
            {
                if (map.Map(pattern) is not { } entry)
                {
                    continue;
                }

                var config = ReadConfig(entry);
                OwnersYaml.WarnUnknown(entry, ConfigKeys);
                if (pattern == ".*")
                {
                    filters.Add(new OwnersFilter(pattern, null, config));
                }
                else if (GoRegex.TryCompile(pattern, out var error) is { } regex)
                {
                    filters.Add(new OwnersFilter(pattern, regex, config));
                }
                else
                {
                    diagnostics.Warning(map.At(pattern), $"filters: '{pattern}' is not a valid regular expression, the filter is ignored: {error}");
                }
            }
        }

        OwnersYaml.WarnUnknown(root, [.. ConfigKeys, "options", "filters"]);
        return new OwnersFile(directory, filters.ToImmutable(), noParent, autoApprove);
    }

    private static OwnersConfig ReadConfig(MapReader r) => new(
        r.Strings("approvers"),
        r.Strings("reviewers"),
        r.Strings("required_reviewers"),
        r.Strings("labels"),
        r.Strings("emeritus_approvers"));
}
