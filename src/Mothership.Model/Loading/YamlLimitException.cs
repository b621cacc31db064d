using YamlDotNet.Core;

namespace Mothership.Model.Loading;

/// <summary>
/// YAML that is well formed but beyond one of the <see cref="Limits.InputLimits"/>: the loader
/// reports it as a diagnostic at <see cref="Start"/> with this message, which names the limit.
/// </summary>
internal sealed class YamlLimitException(Mark start, string message) : Exception(message)
{
    public Mark Start { get; } = start;
}
