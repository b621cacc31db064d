namespace Mothership.Executors.Local;

/// <summary>
/// A user mistake found while preparing or finishing an attempt (a missing ConfigMap key, an
/// invalid array result). Thrown deep in setup code and turned into a Failed outcome with this
/// message by <see cref="LocalTaskExecutor"/>; it never leaves the executor.
/// </summary>
internal sealed class TaskRunFailure(string message) : Exception(message);
