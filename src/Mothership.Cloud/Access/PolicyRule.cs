namespace Mothership.Cloud.Access;

/// <summary>
/// One <c>p, SUBJECT, RESOURCE, ACTION, OBJECT, EFFECT</c> line. <see cref="Resource"/> and
/// <see cref="Action"/> are one of <see cref="AccessResources"/> / <see cref="AccessActions"/> or
/// <c>*</c>; <see cref="Object"/> is a glob (<c>*</c>, <c>?</c>) over <see cref="AccessObject"/> names.
/// </summary>
public sealed record PolicyRule(string Subject, string Resource, string Action, string Object, PolicyEffect Effect, PolicyOrigin Origin)
{
    /// <summary>Whether the rule covers <paramref name="resource"/>, <paramref name="action"/> and <paramref name="obj"/> (its subject aside).</summary>
    public bool Covers(string resource, string action, string obj) =>
        (Resource == "*" || Resource == resource) && (Action == "*" || Action == action) && PolicyGlob.Matches(Object, obj);
}
