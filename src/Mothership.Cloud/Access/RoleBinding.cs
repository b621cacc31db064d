namespace Mothership.Cloud.Access;

/// <summary>One <c>g, MEMBER, ROLE</c> line: a user, a group or a role gets everything <see cref="Role"/> has.</summary>
public sealed record RoleBinding(string Member, string Role, PolicyOrigin Origin);
