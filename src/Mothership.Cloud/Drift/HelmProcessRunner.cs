using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Mothership.Cloud.Drift;

/// <summary>
/// Runs the real <c>helm</c> as a process: arguments passed as a list (no shell), a timeout after
/// which the process tree is killed, and bounded output, so a hung cluster or a huge answer costs a
/// failed check rather than a stuck or bloated server.
/// </summary>
public sealed class HelmProcessRunner(HelmProcessRunnerOptions options, TimeProvider time) : IHelmRunner
{
    public HelmProcessRunner()
        : this(new HelmProcessRunnerOptions(), TimeProvider.System)
    {
    }

    public async Task<HelmResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(options.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var command = $"helm {string.Join(' ', arguments)}";
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return HelmResult.Failure($"{command}: cannot start {options.Executable}: {e.Message}");
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var output = ReadBoundedAsync(process.StandardOutput, options.MaxOutput, drain: false, linked.Token);
        var error = ReadBoundedAsync(process.StandardError, options.MaxError, drain: true, linked.Token);
        try
        {
            var (text, complete) = await output.ConfigureAwait(false);
            if (!complete)
            {
                Kill(process);
                return HelmResult.Failure($"{command}: output longer than {options.MaxOutput} characters");
            }

            var (errorText, _) = await error.ConfigureAwait(false);
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            return process.ExitCode == 0
                ? HelmResult.Success(text)
                : HelmResult.Failure($"{command}: exit {process.ExitCode}: {errorText.Trim()}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Kill(process);
            return HelmResult.Failure($"{command}: no answer within {options.Timeout.TotalSeconds:0.#} s");
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }
    }

    /// <summary>
    /// Reads up to <paramref name="limit"/> characters; <c>complete</c> is false when there was
    /// more. With <paramref name="drain"/> the rest is read and dropped (so helm never blocks
    /// writing its errors), else reading stops there.
    /// </summary>
    private static async Task<(string Text, bool Complete)> ReadBoundedAsync(StreamReader reader, int limit, bool drain, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var buffer = new char[8192];
        var complete = true;
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            var kept = Math.Min(read, limit - text.Length);
            text.Append(buffer, 0, kept);
            if (kept < read)
            {
                complete = false;
                if (!drain)
                {
                    break;
                }
            }
        }

        return (text.ToString(), complete);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It ended on its own meanwhile: nothing left to stop.
        }
    }
}
