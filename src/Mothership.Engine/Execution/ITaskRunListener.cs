namespace Mothership.Engine.Execution;

/// <summary>Receives what a running attempt produces, as it produces it.</summary>
public interface ITaskRunListener
{
    /// <summary>One line of a step's or sidecar's output (without the newline).</summary>
    void OnLog(TaskRunRequest request, string container, string line);

    /// <summary>A step started or finished; <paramref name="step"/> is its latest state.</summary>
    void OnStep(TaskRunRequest request, StepState step);
}
