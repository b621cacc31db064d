namespace Mothership.Ci.Promotion;

/// <summary>A pull request merged between the deployed revision and the one a deployment pull request brings.</summary>
/// <param name="Number">Its number.</param>
/// <param name="Title">Its title.</param>
/// <param name="Author">Its author's login.</param>
/// <param name="Kinds">Its <c>kind/*</c> labels without the prefix, in label order.</param>
/// <param name="Note">Its release note; null when it has none (or <c>NONE</c>).</param>
public sealed record DeploymentChange(int Number, string Title, string Author, IReadOnlyList<string> Kinds, string? Note);
