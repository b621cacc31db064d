namespace Mothership.Store;

/// <summary>Who did what to which object; kept when the object is deleted.</summary>
public sealed record AuditRecord(DateTimeOffset Time, string Actor, string Action, string Kind, string Name, string? Uid, string Detail);
