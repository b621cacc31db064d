using System.Collections.Immutable;

namespace Mothership.Ci.Plugins;

/// <summary>What a plugin does and the commands it answers (Prow's <c>pluginhelp.PluginHelp</c>).</summary>
/// <param name="Description">One or two sentences.</param>
/// <param name="Commands">Its commands.</param>
public sealed record PluginHelp(string Description, ImmutableArray<PluginCommand> Commands);

/// <summary>A command of a plugin (Prow's <c>pluginhelp.Command</c>).</summary>
/// <param name="Usage">How it is written: <c>/hold [cancel]</c>.</param>
/// <param name="Description">What it does.</param>
/// <param name="WhoCanUse">Who may use it: <c>Anyone</c>, <c>Collaborators</c>…</param>
public sealed record PluginCommand(string Usage, string Description, string WhoCanUse);
