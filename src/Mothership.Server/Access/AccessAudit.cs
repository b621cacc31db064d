using Mothership.Cloud.Access;
using Mothership.Store;

namespace Mothership.Server.Access;

/// <summary>
/// Access decisions in the audit log: action <c>allow</c> or <c>deny</c>, kind <see cref="Kind"/>,
/// name <c>ACTION RESOURCE OBJECT</c> (as <c>mship auth can-i</c> asks), detail
/// <c>source: SOURCE; DECIDING LINE</c> (<c>FILE:LINE: TEXT</c>, <c>&lt;built-in&gt;: …</c>, or no rule matched).
/// </summary>
internal static class AccessAudit
{
    /// <summary>The kind of access decisions' audit records.</summary>
    public const string Kind = "Access";

    /// <summary>The audit record of one decision.</summary>
    public static AuditRecord Record(DateTimeOffset time, string actor, string source, AccessQuestion question, AccessDecision decision) =>
        new(time, actor, decision.Allowed ? "allow" : "deny", Kind, $"{question.Action} {question.Resource} {question.Object}", null, $"source: {source}; {decision.Reason}");

    /// <summary>
    /// The record of an approval the policy allowed but the gate refused (the approver holds none of
    /// its roles): a <c>deny</c> of <c>approve rollouts ENVIRONMENT/*</c> whose detail is the gate's reason.
    /// </summary>
    public static Task WriteGateRefusalAsync(IRunStore store, TimeProvider time, string actor, string source, string environment, string why, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        return store.AddAuditAsync(
            new AuditRecord(time.GetUtcNow(), actor, "deny", Kind, $"{AccessActions.Approve} {AccessResources.Rollouts} {AccessObjects.Environment(environment)}", null, $"source: {source}; gate: {why}"),
            cancellationToken);
    }

    /// <summary>Writes the record of one decision.</summary>
    public static Task WriteAsync(IRunStore store, TimeProvider time, string actor, string source, AccessQuestion question, AccessDecision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        return store.AddAuditAsync(Record(time.GetUtcNow(), actor, source, question, decision), cancellationToken);
    }
}
