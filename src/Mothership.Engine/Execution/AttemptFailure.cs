namespace Mothership.Engine.Execution;

/// <summary>
/// A user mistake found while preparing or finishing an attempt (a missing ConfigMap key, an
/// invalid step timeout, a result of the wrong type or too large): the executor ends the attempt
/// Failed with this message. It never leaves an executor.
/// </summary>
public sealed class AttemptFailure(string message) : Exception(message);
