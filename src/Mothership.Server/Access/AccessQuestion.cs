namespace Mothership.Server.Access;

/// <summary>One question to the policy: may the caller do <see cref="Action"/> on <see cref="Resource"/> <see cref="Object"/>.</summary>
internal sealed record AccessQuestion(string Resource, string Action, string Object);
