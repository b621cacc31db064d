using System.Text;
using System.Text.Json.Nodes;
using Mothership.Model.Tekton;

namespace Mothership.Engine.Images;

/// <summary>
/// Registry credentials from an image pull Secret, as the kubelet and go-containerregistry's
/// keychain read it: <c>kubernetes.io/dockerconfigjson</c> (<c>.dockerconfigjson</c>, with
/// <c>auths</c>) or the older <c>kubernetes.io/dockercfg</c> (<c>.dockercfg</c>, the map itself);
/// an entry's <c>auth</c> (base64 of <c>user:password</c>) or its <c>username</c> and
/// <c>password</c>. Keys are matched by host: <c>https://index.docker.io/v1/</c> is Docker Hub's.
/// </summary>
public static class DockerConfig
{
    /// <summary>The credentials <paramref name="secret"/> holds for <paramref name="registry"/>, or null; a Secret of another type or unreadable JSON is an error message.</summary>
    public static RegistryCredentials? Find(DataObject secret, string registry, out string? error)
    {
        ArgumentNullException.ThrowIfNull(secret);
        error = null;
        JsonObject? auths;
        try
        {
            auths = secret.Data.TryGetValue(".dockerconfigjson", out var json) ? JsonNode.Parse(json)?["auths"] as JsonObject
                : secret.Data.TryGetValue(".dockercfg", out var cfg) ? JsonNode.Parse(cfg) as JsonObject
                : null;
        }
        catch (System.Text.Json.JsonException e)
        {
            error = $"Secret '{secret.Metadata.Name}': its docker config is not JSON: {e.Message}";
            return null;
        }

        if (auths is null)
        {
            error = $"Secret '{secret.Metadata.Name}' holds no '.dockerconfigjson' or '.dockercfg' (an image pull Secret, type kubernetes.io/dockerconfigjson)";
            return null;
        }

        var wanted = Host(registry);
        foreach (var (key, value) in auths)
        {
            if (Host(key) != wanted || value is not JsonObject entry)
            {
                continue;
            }

            if ((string?)entry["auth"] is { Length: > 0 } auth)
            {
                try
                {
                    var pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
                    var colon = pair.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        return new RegistryCredentials(pair[..colon], pair[(colon + 1)..]);
                    }
                }
                catch (FormatException)
                {
                    // Not base64: fall back to username and password below, as docker does.
                }
            }

            if ((string?)entry["username"] is { Length: > 0 } user)
            {
                return new RegistryCredentials(user, (string?)entry["password"] ?? "");
            }
        }

        return null;
    }

    /// <summary>A config key or registry as a host: scheme and path dropped, Docker Hub's names as <c>docker.io</c>.</summary>
    private static string Host(string key)
    {
        var host = key.Contains("://", StringComparison.Ordinal) ? key[(key.IndexOf("://", StringComparison.Ordinal) + 3)..] : key;
        host = host.Split('/')[0].ToLowerInvariant();
        return host is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? ImageReference.DockerHub : host;
    }
}
