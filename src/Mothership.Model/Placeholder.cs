namespace Mothership.Model;
/// <summary>Placeholder.</summary>
public static class Placeholder { }
