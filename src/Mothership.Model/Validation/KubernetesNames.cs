using System.Text;

namespace Mothership.Model.Validation;

/// <summary>
/// What Kubernetes and Tekton accept as an object's name, in one place: the validator checks
/// files with it, the server checks the names in its URLs with it, and messages quote names
/// through <see cref="Quote"/> so a name can never smuggle control characters into a terminal.
/// </summary>
public static class KubernetesNames
{
    /// <summary>The longest DNS-1123 label (Kubernetes' <c>DNS1123LabelMaxLength</c>).</summary>
    public const int LabelMaxLength = 63;

    /// <summary>The longest DNS-1123 subdomain (Kubernetes' <c>DNS1123SubdomainMaxLength</c>).</summary>
    public const int SubdomainMaxLength = 253;

    /// <summary>
    /// How long a <c>generateName</c> prefix is kept before the five random characters: Kubernetes'
    /// <c>maxGeneratedNameLength</c>, so a generated name is at most <see cref="LabelMaxLength"/>.
    /// </summary>
    public const int GeneratedPrefixMaxLength = LabelMaxLength - 5;

    private const string LabelRule = "at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit";

    private const string TektonRule = "at most 63 lower-case letters, digits, '-' and '.', each '.'-separated part starting and ending with a letter or digit";

    /// <summary>The kinds of tekton.dev, whose names Tekton's webhook also holds to 63 characters (<c>validate.ObjectMetadata</c>).</summary>
    public static bool IsTektonKind(string kind) => kind is "Task" or "Pipeline" or "PipelineRun" or "TaskRun" or "StepAction";

    /// <summary>RFC 1123 label: <c>[a-z0-9]([-a-z0-9]*[a-z0-9])?</c>, at most 63 characters.</summary>
    public static bool IsDns1123Label(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length is 0 or > LabelMaxLength || !IsAlphanumeric(text[0]) || !IsAlphanumeric(text[^1]))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!IsAlphanumeric(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>RFC 1123 subdomain: labels joined by '.', at most 253 characters.</summary>
    public static bool IsDns1123Subdomain(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length is 0 or > SubdomainMaxLength)
        {
            return false;
        }

        foreach (var label in text.Split('.'))
        {
            // Each part obeys the label's characters; only the whole is bounded (by 253).
            if (label.Length == 0 || !IsAlphanumeric(label[0]) || !IsAlphanumeric(label[^1]) || label.Any(c => !IsAlphanumeric(c) && c != '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>What Kubernetes accepts for RBAC objects: anything but '/', '%', '.' and '..' (<c>path.IsValidPathSegmentName</c>).</summary>
    public static bool IsPathSegmentName(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length is > 0 and <= SubdomainMaxLength && text is not ("." or "..") && !text.Contains('/', StringComparison.Ordinal)
            && !text.Contains('%', StringComparison.Ordinal) && !text.Any(char.IsControl);
    }

    /// <summary>
    /// Why <paramref name="name"/> cannot name an object of <paramref name="kind"/>, or null when it
    /// can. Tekton's kinds: a DNS-1123 subdomain of at most 63 characters (Kubernetes checks the
    /// subdomain, Tekton's webhook the length); Namespaces: a DNS-1123 label; RBAC objects: a path
    /// segment; everything else (ConfigMap, Secret, ServiceAccount, PersistentVolumeClaim): a
    /// DNS-1123 subdomain.
    /// </summary>
    public static string? NameProblem(string kind, string name)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(name);
        return RuleOf(kind) switch
        {
            Rule.Tekton when !IsTektonName(name) => $"{kind} name {Quote(name)} is invalid: use {TektonRule}",
            Rule.Label when !IsDns1123Label(name) => $"{kind} name {Quote(name)} is invalid: use {LabelRule}",
            Rule.Subdomain when !IsDns1123Subdomain(name) =>
                $"{kind} name {Quote(name)} is invalid: use at most 253 lower-case letters, digits, '-' and '.', each '.'-separated part starting and ending with a letter or digit",
            Rule.PathSegment when !IsPathSegmentName(name) => $"{kind} name {Quote(name)} is invalid: use at most 253 characters, without '/', '%' or control characters, and not '.' or '..'",
            _ => null,
        };
    }

    /// <summary>
    /// Why <paramref name="prefix"/> cannot be a <c>generateName</c> of <paramref name="kind"/>, or
    /// null. Kubernetes checks the prefix with a trailing '-' read as a letter, and the name made
    /// from it (the prefix cut to 58 characters, then five random letters and digits) must be valid.
    /// </summary>
    public static string? GenerateNameProblem(string kind, string prefix)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(prefix);
        var masked = prefix.EndsWith('-') ? prefix[..^1] + "a" : prefix;
        var generated = (prefix.Length > GeneratedPrefixMaxLength ? prefix[..GeneratedPrefixMaxLength] : prefix) + "abcde";
        var rule = RuleOf(kind);
        var valid = prefix.Length <= SubdomainMaxLength && rule switch
        {
            Rule.Tekton => IsDns1123Subdomain(masked) && IsTektonName(generated),
            Rule.Label => IsDns1123Subdomain(masked) && IsDns1123Label(generated),
            Rule.Subdomain => IsDns1123Subdomain(masked) && IsDns1123Subdomain(generated),
            _ => IsPathSegmentName(masked),
        };
        if (valid)
        {
            return null;
        }

        return $"{kind} generateName {Quote(prefix)} is invalid: use lower-case letters, digits, '-' and '.', starting with a letter or digit, no '.' at the end (at most 253; "
            + $"the first {GeneratedPrefixMaxLength} are kept, then 5 random characters)";
    }

    /// <summary>
    /// <paramref name="text"/> in single quotes for a message: control and bidirectional-override
    /// characters escaped (<c>\n</c>, <c>\x1b</c>, <c>\u202e</c>) and a long text shortened, so a
    /// message shows what was written without letting it act on the reader's terminal.
    /// </summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const int shown = 80;
        var shortened = text.Length > shown ? text[..shown] : text;
        var builder = new StringBuilder(shortened.Length + 2).Append('\'');
        foreach (var c in shortened)
        {
            AppendVisible(builder, c);
        }

        builder.Append('\'');
        if (text.Length > shown)
        {
            builder.Append(" (").Append(text.Length).Append(" characters)");
        }

        return builder.ToString();
    }

    /// <summary>Appends <paramref name="c"/>, or its escape when a terminal would act on it instead of showing it.</summary>
    public static void AppendVisible(StringBuilder builder, char c)
    {
        ArgumentNullException.ThrowIfNull(builder);
        switch (c)
        {
            case '\n':
                builder.Append("\\n");
                break;
            case '\r':
                builder.Append("\\r");
                break;
            case '\t':
                builder.Append("\\t");
                break;
            default:
                if (NeedsEscape(c))
                {
                    builder.Append(c <= '\xff' ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}");
                }
                else
                {
                    builder.Append(c);
                }

                break;
        }
    }

    /// <summary>
    /// C0 and C1 controls, DEL, and the characters that reorder text on screen (bidirectional
    /// embeddings, overrides and isolates: the "Trojan Source" characters).
    /// </summary>
    public static bool NeedsEscape(char c) =>
        char.IsControl(c) || c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' or '\u200e' or '\u200f' or '\u061c';

    /// <summary>A DNS-1123 subdomain of at most 63 characters: what a Tekton object may be called, and so what the API's URLs may name.</summary>
    public static bool IsTektonName(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= LabelMaxLength && IsDns1123Subdomain(text);
    }

    private enum Rule
    {
        Tekton,
        Label,
        Subdomain,
        PathSegment,
    }

    private static Rule RuleOf(string kind) => kind switch
    {
        _ when IsTektonKind(kind) => Rule.Tekton,
        "Namespace" => Rule.Label,
        "Role" or "RoleBinding" or "ClusterRole" or "ClusterRoleBinding" => Rule.PathSegment,
        _ => Rule.Subdomain,
    };

    private static bool IsAlphanumeric(char c) => c is >= 'a' and <= 'z' or >= '0' and <= '9';
}
