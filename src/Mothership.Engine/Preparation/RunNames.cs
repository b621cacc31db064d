using System.Security.Cryptography;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Preparation;

/// <summary>How a run gets its name, as the Kubernetes API server gives one to an object created with <c>generateName</c>.</summary>
public static class RunNames
{
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>
    /// <paramref name="run"/> with a name: its own, else its <c>generateName</c> followed by five
    /// random characters (Kubernetes' alphabet, without vowels and look-alikes), else its kind's.
    /// </summary>
    public static T Named<T>(T run)
        where T : Resource
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Metadata.Name is not null
            ? run
            : run with { Metadata = run.Metadata with { Name = Generate(run.Metadata.GenerateName ?? run.Kind.ToLowerInvariant() + "-"), GenerateName = null } };
    }

    /// <summary><paramref name="prefix"/> and five random characters; the prefix is cut to leave room within 63 characters.</summary>
    public static string Generate(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        const int length = 5;
        var cut = prefix.Length > 63 - length ? prefix[..(63 - length)] : prefix;
        return string.Concat(cut, RandomNumberGenerator.GetString(Alphabet, length));
    }
}
