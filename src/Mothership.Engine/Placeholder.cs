namespace Mothership.Engine;
/// <summary>Placeholder.</summary>
public static class Placeholder { }
