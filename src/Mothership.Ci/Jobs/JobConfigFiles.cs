using System.Globalization;
using System.Text;
using Mothership.Ci.Plugins;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;

namespace Mothership.Ci.Jobs;

/// <summary>
/// The job configuration read from files: Prow's <c>config.yaml</c> (or a directory of job
/// files, as Prow's <c>--job-config-path</c>) and its <c>plugins.yaml</c>. <see cref="Reload"/> reads them again when any changed; a version with errors is
/// refused and the one in force kept, as Prow's config agent keeps its last good config.
/// </summary>
public sealed class JobConfigFiles : IJobConfigSource
{
    private readonly string? _config;
    private readonly string? _plugins;
    private volatile Loaded _loaded = new(new ProwConfig(), PluginsConfig.None, "");

    private sealed record Loaded(ProwConfig Config, PluginsConfig Plugins, string Stamp);

    /// <param name="config">A Prow config file or a directory of them; null for no jobs.</param>
    /// <param name="plugins">A Prow <c>plugins.yaml</c>; null for Prow's default trigger policy.</param>
    public JobConfigFiles(string? config, string? plugins)
    {
        _config = config;
        _plugins = plugins;
    }

    /// <inheritdoc />
    public ProwConfig Current => _loaded.Config;

    /// <inheritdoc />
    public PluginsConfig Plugins => _loaded.Plugins;

    /// <summary>The files read: the config's (sorted, when a directory) and the plugins file.</summary>
    public IReadOnlyList<string> Files() =>
        [.. ConfigFiles(), .. _plugins is null ? [] : new[] { _plugins }];

    /// <summary>
    /// Reads the files if any changed since the last read (or this is the first). Returns null when
    /// nothing changed, else what reading found: with errors, the configuration in force stays.
    /// </summary>
    public IReadOnlyList<Diagnostic>? Reload()
    {
        var files = Files();
        var stamp = Stamp(files);
        if (stamp == _loaded.Stamp && stamp.Length > 0)
        {
            return null;
        }

        var bag = new DiagnosticBag();
        var config = _config is null ? new ProwConfig() : ProwConfig.LoadFiles(ConfigFiles(), bag);
        var plugins = PluginsConfig.None;
        if (_plugins is not null && ResourceLoader.ReadFile(_plugins, bag) is { } text)
        {
            plugins = PluginsConfig.Parse(_plugins, text, bag);
        }

        if (!bag.HasErrors && config is not null)
        {
            _loaded = new Loaded(config, plugins, stamp);
        }

        return bag.Sorted().ToList();
    }

    private IReadOnlyList<string> ConfigFiles() => _config is null ? []
        : Directory.Exists(_config)
            ? [.. Directory.EnumerateFiles(_config, "*.*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal)]
            : [_config];

    /// <summary>Each file's path, length and last write: what tells a changed file (a ConfigMap swap changes them all).</summary>
    private static string Stamp(IEnumerable<string> files)
    {
        var stamp = new StringBuilder();
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            stamp.Append(file).Append('|').Append(info.Exists ? info.Length : -1).Append('|')
                .Append(info.Exists ? info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture) : "-").Append('\n');
        }

        return stamp.ToString();
    }
}
