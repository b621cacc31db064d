using System.Globalization;
using Mothership.Engine.Execution;

namespace Mothership.Executors.Local.Workspaces;

/// <summary>
/// An attempt starts only with room to work in: a full disk otherwise fails it halfway, or fails
/// the store's writes beside it, with "No space left on device".
/// </summary>
internal static class FreeSpace
{
    public static void Require(LocalExecutorOptions options)
    {
        if (options.MinFreeBytes <= 0)
        {
            return;
        }

        var dir = Path.GetFullPath(options.Root);
        while (!Directory.Exists(dir) && Path.GetDirectoryName(dir) is { } parent)
        {
            dir = parent;
        }

        var free = new DriveInfo(dir).AvailableFreeSpace;
        if (free < options.MinFreeBytes)
        {
            throw new AttemptFailure(string.Create(CultureInfo.InvariantCulture,
                $"only {free / 1048576.0:0.#} MiB free where attempts run ({dir}), less than the {options.MinFreeBytes / 1048576.0:0.#} MiB an attempt needs to start: free some space (finished runs are removed with them; mship prune removes old ones)"));
        }
    }
}
