namespace Mothership.Executors.Local;
/// <summary>Placeholder.</summary>
public static class Placeholder { }
