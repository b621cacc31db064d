namespace Mothership.Testing;

/// <summary>
/// A file that a step's script waits for and the test creates: it holds the step at a known
/// point for exactly as long as the test needs (to cancel, to look at a live run, to kill the
/// server), where a <c>sleep N</c> would guess how long that is and race on a slow machine.
/// </summary>
public sealed class StepGate
{
    /// <summary>A gate named after <paramref name="name"/>, unique to this test, in <paramref name="directory"/> (which the steps can see).</summary>
    public StepGate(string directory, string name) =>
        Path = System.IO.Path.Combine(directory, $"{name}-{Guid.NewGuid():N}.gate");

    /// <summary>The file whose existence opens the gate.</summary>
    public string Path { get; }

    /// <summary>Shell (one line) that blocks until this gate opens; see <see cref="WaitFor"/>.</summary>
    public string Wait => WaitFor(Path);

    /// <summary>
    /// Shell (one line) that blocks until <paramref name="path"/> exists. After
    /// <paramref name="seconds"/> it gives up and fails the step (exit 99), so a step whose test
    /// died before opening the gate does not poll forever.
    /// </summary>
    public static string WaitFor(string path, int seconds = 120) =>
        $"n=0; until [ -e {path} ]; do n=$((n+1)); if [ $n -gt {seconds * 20} ]; then echo \"gate {path} never opened\" >&2; exit 99; fi; sleep 0.05; done";

    /// <summary>Opens the gate: the waiting step goes on.</summary>
    public Task OpenAsync(CancellationToken cancellationToken) => File.WriteAllTextAsync(Path, "", cancellationToken);
}
