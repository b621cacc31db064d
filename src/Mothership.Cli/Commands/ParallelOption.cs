namespace Mothership.Cli.Commands;

/// <summary><c>--parallel N</c> of <c>mship run</c> and <c>mship deploy</c>: how many things run at once, at least one.</summary>
internal static class ParallelOption
{
    public static System.CommandLine.Option<int> Create(string description, Func<int> defaultValue) =>
        new("--parallel") { Description = description, DefaultValueFactory = _ => defaultValue() };

    /// <summary>False, after saying so on one line, when <paramref name="value"/> is below 1.</summary>
    public static bool Check(int value, string command)
    {
        if (value >= 1)
        {
            return true;
        }

        Console.Error.WriteLine($"{command}: --parallel {value}: must be at least 1");
        return false;
    }
}
