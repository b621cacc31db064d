namespace Mothership.Ci.Plugins.ApproveRollout;

/// <summary>How the server answered an approval from GitHub: whether the gate opened, and what to reply (why not, when refused).</summary>
public sealed record RolloutApproval(bool Approved, string Message);
