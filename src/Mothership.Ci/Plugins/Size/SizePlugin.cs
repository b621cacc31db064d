using System.Text;
using Mothership.Ci.Forge;
using Mothership.Ci.Triggers;

namespace Mothership.Ci.Plugins.Size;

/// <summary>
/// Prow's size plugin: keeps one <c>size/*</c> label on each pull request from its added and
/// deleted lines (<see cref="SizeThresholds"/>), counted when it is opened, reopened, edited or
/// pushed to; files that <c>.generated_files</c> or <c>.gitattributes</c>'
/// <c>linguist-generated=true</c> name, both read at the base commit, do not count.
/// </summary>
public sealed class SizePlugin(IForge forge) : IReviewPlugin
{
    /// <summary>The labels' prefix.</summary>
    public const string Prefix = "size/";

    /// <inheritdoc />
    public string Name => "size";

    /// <inheritdoc />
    public PluginHelp Help { get; } = new(
        "The size plugin manages the 'size/*' labels, maintaining the appropriate label on each pull request as it is updated. Generated files identified by the config file '.generated_files' at the repo root are ignored. Labels are applied based on the total number of lines of changes (additions and deletions).",
        []);

    /// <inheritdoc />
    public async Task<string?> HandleAsync(PluginEvent e, PluginsConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(config);
        if (e.Event != "pull_request" || e.Action is not ("opened" or "reopened" or "synchronize" or "edited") || e.Number is not { } number)
        {
            return null;
        }

        var baseSha = PullRequestEvent.Optional(e.Payload["pull_request"]?["base"]?["sha"]);
        var generated = GeneratedFiles.None;
        var attributes = GitAttributes.None;
        if (baseSha is not null)
        {
            generated = await ReadGeneratedAsync(e.Repository, baseSha, cancellationToken).ConfigureAwait(false);
            if (await ReadAsync(e.Repository, GitAttributes.FileName, baseSha, cancellationToken).ConfigureAwait(false) is { } text)
            {
                // A pattern Prow refuses: nothing is taken as linguist-generated.
                attributes = GitAttributes.Parse(text, out _);
            }
        }

        var files = await forge.ListPullRequestFilesAsync(e.Repository, number, cancellationToken).ConfigureAwait(false);
        var lines = files.Where(f => !generated.Match(f.Path) && !attributes.IsLinguistGenerated(f.Path)).Sum(f => f.Additions + f.Deletions);
        var want = config.Size.LabelFor(lines);

        var labels = await forge.ListLabelsAsync(e.Repository, number, cancellationToken).ConfigureAwait(false);
        foreach (var stale in labels.Where(l => l != want && l.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            await forge.RemoveLabelAsync(e.Repository, number, stale, cancellationToken).ConfigureAwait(false);
        }

        if (labels.Contains(want, StringComparer.Ordinal))
        {
            return $"{want} kept ({lines} lines)";
        }

        await forge.AddLabelsAsync(e.Repository, number, [want], cancellationToken).ConfigureAwait(false);
        return $"{want} ({lines} lines)";
    }

    private async Task<GeneratedFiles> ReadGeneratedAsync(RepositoryName repository, string sha, CancellationToken cancellationToken)
    {
        if (await ReadAsync(repository, GeneratedFiles.FileName, sha, cancellationToken).ConfigureAwait(false) is not { } text)
        {
            return GeneratedFiles.None;
        }

        // A line Prow cannot read: what came before it applies (Prow goes on with a warning).
        var generated = GeneratedFiles.Parse(text, out _);
        foreach (var file in generated.PathsFromRepo)
        {
            if (await ReadAsync(repository, file, sha, cancellationToken).ConfigureAwait(false) is { } paths)
            {
                generated = generated.WithPaths(paths);
            }
        }

        return generated;
    }

    private async Task<string?> ReadAsync(RepositoryName repository, string path, string sha, CancellationToken cancellationToken) =>
        await forge.GetFileContentAsync(repository, path, sha, cancellationToken).ConfigureAwait(false) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
}
