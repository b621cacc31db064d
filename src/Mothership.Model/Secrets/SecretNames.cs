using System.Text.RegularExpressions;

namespace Mothership.Model.Secrets;

/// <summary>
/// Which names look like they hold a secret: a param called <c>db-password</c>, <c>apiToken</c>
/// or <c>ssh_key</c> is masked in logs and run objects unless the run says otherwise
/// (<see cref="Tekton.Vocabulary.MothershipLabels.PlainParams"/>). A name is split into words at
/// <c>-</c>, <c>_</c>, <c>.</c> and lower-to-upper case changes; one of the words must be a
/// secret word, so <c>keystone-url</c> and <c>monkey</c> are not secret while <c>ssh-key</c> is.
/// </summary>
public static partial class SecretNames
{
    private static readonly HashSet<string> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        "password", "passwd", "pwd", "passphrase", "secret", "token", "key", "apikey", "credential", "credentials", "cookie", "privatekey",
    };

    [GeneratedRegex("[-_.]+|(?<=[a-z0-9])(?=[A-Z])")]
    private static partial Regex WordBoundary();

    public static bool LooksSecret(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return WordBoundary().Split(name).Any(Words.Contains);
    }

    /// <summary>The names listed in a run's <c>mothership.io/plain-params</c> annotation (comma-separated).</summary>
    public static IReadOnlySet<string> Plain(IReadOnlyDictionary<string, string> annotations)
    {
        ArgumentNullException.ThrowIfNull(annotations);
        return annotations.TryGetValue(Tekton.Vocabulary.MothershipLabels.PlainParams, out var list)
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
    }

    /// <summary>The string values of the params among <paramref name="parameters"/> whose names look secret and are not plain.</summary>
    public static IEnumerable<string> Values(IEnumerable<KeyValuePair<string, Tekton.ParamValue>> parameters, IReadOnlySet<string> plain)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(plain);
        foreach (var (name, value) in parameters)
        {
            if (!LooksSecret(name) || plain.Contains(name))
            {
                continue;
            }

            foreach (var text in value.Type switch
            {
                Tekton.ParamType.String => [value.StringValue ?? ""],
                Tekton.ParamType.Array => value.ArrayValue.AsEnumerable(),
                _ => value.ObjectValue!.Values,
            })
            {
                if (text.Length > 0)
                {
                    yield return text;
                }
            }
        }
    }
}
