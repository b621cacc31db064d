using Mothership.Engine.Execution;
using Mothership.Executors.Local;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Contract.Tests;

/// <summary>
/// The local executor in a temporary directory; <paramref name="endStepsOnEventThread"/> as
/// <c>mship run</c> sets it (<see cref="LocalExecutorOptions.EndStepsOnEventThread"/>).
/// </summary>
public sealed class LocalHarness(bool endStepsOnEventThread = false) : IExecutorHarness
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("mship-contract-");

    public ITaskExecutor Executor(ResultLimit? limit = null) =>
        new LocalTaskExecutor(new LocalExecutorOptions
        {
            Root = Path.Combine(_root.FullName, "runs"),
            ResultLimit = limit ?? ResultLimit.None,
            EndStepsOnEventThread = endStepsOnEventThread,
        });

    /// <summary>The local executor reads ConfigMaps and Secrets from the request's resources.</summary>
    public Task ProvideAsync(ResourceSet resources, CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A directory left in /tmp is harmless.
        }

        return ValueTask.CompletedTask;
    }
}
