using System.Collections.Immutable;
using System.Text;
using Mothership.Model.Tekton;

namespace Mothership.Ci.Triggers;

/// <summary>
/// The bot's credentials for a run's checkout (<see cref="CloneRefs"/>): the Secret, sent with the
/// run, that holds them, and the URL prefix (<c>https://github.com/</c>) git sends them to.
/// </summary>
/// <param name="SecretName">The Secret's name.</param>
/// <param name="Url">The forge's <c>scheme://host[:port]/</c>: git sends the credentials to URLs under it only.</param>
public sealed record CloneCredentials(string SecretName, string Url)
{
    /// <summary>The Secret's key holding <c>base64("x-access-token:TOKEN")</c>, what GitHub takes as HTTP basic credentials for a token.</summary>
    public const string AuthorizationKey = "authorization";

    /// <summary>
    /// The credentials of run <paramref name="runName"/> fetching <paramref name="cloneUri"/>: the
    /// Secret to send with it, or null when the URI is not an http(s) URL on <paramref name="forgeHost"/>
    /// (a token goes to the forge it is for, nowhere else).
    /// </summary>
    public static (CloneCredentials Credentials, DataObject Secret)? For(string runName, string cloneUri, string forgeHost, string token)
    {
        ArgumentNullException.ThrowIfNull(runName);
        ArgumentException.ThrowIfNullOrEmpty(token);
        if (!Uri.TryCreate(cloneUri, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.UserInfo.Length > 0
            || !string.Equals(uri.Host, forgeHost, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var name = runName + "-clone";
        var secret = new DataObject
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = new ObjectMeta { Name = name },
            Type = "Opaque",
            Data = ImmutableSortedDictionary<string, string>.Empty.Add(AuthorizationKey, Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + token))),
        };
        return (new CloneCredentials(name, uri.GetLeftPart(UriPartial.Authority) + "/"), secret);
    }

    /// <summary>The host clones are fetched from for a forge whose API is <paramref name="apiUrl"/>: <c>github.com</c> for <c>api.github.com</c>, the API's own host otherwise (GitHub Enterprise).</summary>
    public static string CloneHostOf(Uri apiUrl)
    {
        ArgumentNullException.ThrowIfNull(apiUrl);
        return string.Equals(apiUrl.Host, "api.github.com", StringComparison.OrdinalIgnoreCase) ? "github.com" : apiUrl.Host;
    }
}
