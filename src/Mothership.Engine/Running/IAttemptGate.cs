using Mothership.Engine.Execution;

namespace Mothership.Engine.Running;

/// <summary>
/// Admits TaskRun attempts when the host limits how many run at once (the server's fair queue).
/// </summary>
public interface IAttemptGate
{
    /// <summary>Waits for a slot; disposing the result gives it back.</summary>
    ValueTask<IDisposable> AcquireAsync(TaskRunRequest request, CancellationToken cancellationToken);
}
