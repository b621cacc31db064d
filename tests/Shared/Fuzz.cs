using CsCheck;

namespace Mothership.Testing;

/// <summary>
/// Property-based tests with a fixed series of seeds, so a normal run checks the same inputs every
/// time: <c>MSHIP_FUZZ_ITERATIONS</c> sets how many (more for a long hunt), <c>MSHIP_FUZZ_SEED</c>
/// replays the one seed a failure names.
/// </summary>
public static class Fuzz
{
    /// <summary>How many inputs to try: <c>MSHIP_FUZZ_ITERATIONS</c>, else <paramref name="normal"/>.</summary>
    public static int Iterations(int normal) =>
        int.TryParse(Environment.GetEnvironmentVariable("MSHIP_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : normal;

    /// <summary>The seeds of one property: the replayed one, or <paramref name="normal"/> (or <c>MSHIP_FUZZ_ITERATIONS</c>) of a series fixed by <paramref name="stream"/>.</summary>
    public static IEnumerable<string> Seeds(uint stream, int normal)
    {
        if (Environment.GetEnvironmentVariable("MSHIP_FUZZ_SEED") is { Length: > 0 } replay)
        {
            return [replay];
        }

        return Enumerable.Range(0, Iterations(normal)).Select(i => new PCG(stream, (ulong)i).ToString());
    }

    /// <summary>Checks <paramref name="property"/> on the input each seed makes; a failure names the seed to replay and the input.</summary>
    public static void Check<T>(Gen<T> gen, Action<T> property, uint stream, int normal, Func<T, string>? print = null)
    {
        foreach (var seed in Seeds(stream, normal))
        {
            try
            {
                gen.Sample(property, seed: seed, iter: 1, threads: 1, print: print);
            }
            catch (CsCheckException e)
            {
                throw new InvalidOperationException($"property failed; replay with MSHIP_FUZZ_SEED={seed}: {e.Message}", e);
            }
        }
    }

    /// <summary>As <see cref="Check{T}"/>, for a property that awaits (requests to a server).</summary>
    public static async Task CheckAsync<T>(Gen<T> gen, Func<T, Task> property, uint stream, int normal, Func<T, string>? print = null)
    {
        foreach (var seed in Seeds(stream, normal))
        {
            try
            {
                await gen.SampleAsync(property, seed: seed, iter: 1, threads: 1, print: print).ConfigureAwait(false);
            }
            catch (CsCheckException e)
            {
                throw new InvalidOperationException($"property failed; replay with MSHIP_FUZZ_SEED={seed}: {e.Message}", e);
            }
        }
    }
}
