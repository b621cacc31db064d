namespace Mothership.Cloud.Access;

/// <summary>
/// The answer to "may this subject do that": <see cref="Allowed"/>, and what decided it for the
/// audit log — the <see cref="Rule"/> (with its file, line and text, or built-in) or none when no
/// rule matched (then it is denied). <see cref="ByDefaultRole"/> says the rule applied only through
/// the policy's default role.
/// </summary>
public sealed record AccessDecision(bool Allowed, PolicyRule? Rule, bool ByDefaultRole)
{
    /// <summary>The decision when no rule matches: deny.</summary>
    public static AccessDecision NoMatch { get; } = new(false, null, false);

    /// <summary>One line saying what decided: <c>policy.csv:4: p, role:x, deploys, create, stage/*, allow</c>.</summary>
    public string Reason => Rule is null
        ? "no rule matched (denied)"
        : Rule.Origin + (ByDefaultRole ? " (through the default role)" : "");
}
