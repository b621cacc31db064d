using System.Globalization;
using CsCheck;

namespace Mothership.Testing;

/// <summary>
/// Seeded property runs over CsCheck generators: the same inputs on every run (iteration i is
/// generated from its own PCG stream, so a run can be split across threads and still be the
/// same), a modest count by default so <c>./test</c> stays fast, and for a long local run
/// <c>MSHIP_FUZZ_ITERATIONS=1000000</c> (spread over every processor). A failure names the
/// iteration and the seed that regenerates its input: <c>MSHIP_FUZZ_SEED=…</c> runs only that one.
/// </summary>
public static class PropertyRun
{
    public const string IterationsVariable = "MSHIP_FUZZ_ITERATIONS";

    public const string SeedVariable = "MSHIP_FUZZ_SEED";

    /// <summary>The iterations a property runs: <see cref="IterationsVariable"/> when set, else <paramref name="normal"/>.</summary>
    public static long Iterations(long normal) =>
        long.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : normal;

    /// <summary>
    /// Checks <paramref name="property"/> (it throws when it does not hold) on <see cref="Iterations"/>
    /// inputs from <paramref name="gen"/>, starting from <paramref name="seed"/>.
    /// </summary>
    public static void Check<T>(Gen<T> gen, Action<T> property, long normalIterations, ulong seed, Func<T, string>? print = null)
    {
        ArgumentNullException.ThrowIfNull(gen);
        ArgumentNullException.ThrowIfNull(property);
        print ??= v => v?.ToString() ?? "null";
        if (Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } replay)
        {
            Run(gen, property, print, PCG.Parse(replay), -1);
            return;
        }

        var iterations = Iterations(normalIterations);
        if (iterations == normalIterations)
        {
            // The normal run: one thread, so a failure is reported as it is, not inside an AggregateException.
            Range(gen, property, print, seed, 0, iterations);
            return;
        }

        var threads = Environment.ProcessorCount;
        var chunk = (iterations + threads - 1) / threads;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
            t => Range(gen, property, print, seed, t * chunk, Math.Min(iterations, (t + 1) * chunk)));
    }

    /// <summary>As <see cref="Check{T}"/> for a property that awaits (requests to a server): one input at a time.</summary>
    public static async Task CheckAsync<T>(Gen<T> gen, Func<T, Task> property, long normalIterations, ulong seed, Func<T, string>? print = null)
    {
        ArgumentNullException.ThrowIfNull(gen);
        ArgumentNullException.ThrowIfNull(property);
        print ??= v => v?.ToString() ?? "null";
        IEnumerable<(PCG Pcg, long Iteration)> inputs = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } replay
            ? [(PCG.Parse(replay), -1)]
            : Enumerable.Range(0, (int)Math.Min(int.MaxValue, Iterations(normalIterations))).Select(i => (Pcg(seed, i), (long)i));
        foreach (var (pcg, iteration) in inputs)
        {
            var text = pcg.ToString();
            var value = gen.Generate(pcg, null, out _);
            try
            {
                await property(value).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                throw new PropertyFailedException($"property failed at iteration {iteration} (replay it alone with {SeedVariable}={text}) for the input:\n{print(value)}", e);
            }
        }
    }

    private static PCG Pcg(ulong seed, long i) => new((uint)(i % uint.MaxValue), seed ^ ((ulong)i * 0x9E3779B97F4A7C15UL));

    private static void Range<T>(Gen<T> gen, Action<T> property, Func<T, string> print, ulong seed, long from, long to)
    {
        for (var i = from; i < to; i++)
        {
            Run(gen, property, print, Pcg(seed, i), i);
        }
    }

    private static void Run<T>(Gen<T> gen, Action<T> property, Func<T, string> print, PCG pcg, long iteration)
    {
        var replay = pcg.ToString();
        var value = gen.Generate(pcg, null, out _);
        try
        {
            property(value);
        }
        catch (Exception e)
        {
            throw new PropertyFailedException($"property failed at iteration {iteration} (replay it alone with {SeedVariable}={replay}) for the input:\n{print(value)}", e);
        }
    }
}

/// <summary>A property that did not hold, with the input and the seed that regenerates it.</summary>
public sealed class PropertyFailedException(string message, Exception inner) : Exception(message, inner);
