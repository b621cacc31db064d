using System.Collections.Immutable;
using System.Text;
using System.Text.Json.Nodes;

namespace Mothership.Engine.Execution;

/// <summary>One file Tekton's creds-init writes, relative to the steps' home.</summary>
/// <param name="Path">e.g. <c>.ssh/id_deploy-key</c>, <c>.git-credentials</c>, <c>.docker/config.json</c>.</param>
/// <param name="Content">The file's text.</param>
/// <param name="Private">Readable by its owner only (0600).</param>
public sealed record CredentialFile(string Path, string Content, bool Private);

/// <summary>
/// Tekton's creds-init, as files: the secrets of the TaskRun's ServiceAccount that carry a
/// <c>tekton.dev/git-N</c> or <c>tekton.dev/docker-N</c> annotation become SSH keys and config,
/// git's credential store and docker's config.json in the steps' home, and nothing else appears
/// there. Pure; every executor writes these files its own way (the local one into the attempt's
/// home, the Kubernetes one through a Secret the pod copies from).
/// </summary>
public static class CredentialFiles
{
    /// <summary>
    /// The files for <paramref name="request"/>'s account (none without an account), and every
    /// secret value they hold (for log masking); null with <paramref name="error"/> when the
    /// account names a Secret that is not defined.
    /// </summary>
    public static ImmutableArray<CredentialFile>? Build(TaskRunRequest request, out ImmutableArray<string> secretValues, out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        error = null;
        secretValues = [];
        if (request.ServiceAccountName is not { } name || request.Resources.FindServiceAccount(name) is not { } account)
        {
            return [];
        }

        var files = ImmutableArray.CreateBuilder<CredentialFile>();
        var values = ImmutableArray.CreateBuilder<string>();
        var ssh = new StringBuilder();
        var knownHosts = new StringBuilder();
        var gitConfig = new StringBuilder();
        var gitCredentials = new StringBuilder();
        var dockerAuths = new JsonObject();
        foreach (var secretName in account.Secrets)
        {
            if (request.Resources.FindSecret(secretName) is not { } secret)
            {
                error = $"ServiceAccount \"{name}\" names Secret \"{secretName}\", which is not defined in the files given";
                return null;
            }

            values.AddRange(secret.Data.Values);
            foreach (var (key, target) in secret.Metadata.Annotations)
            {
                if (key.StartsWith("tekton.dev/git-", StringComparison.Ordinal))
                {
                    if (secret.Type == "kubernetes.io/ssh-auth" && secret.Data.TryGetValue("ssh-privatekey", out var privateKey))
                    {
                        var keyFile = $"id_{secret.Metadata.Name}";
                        files.Add(new CredentialFile($".ssh/{keyFile}", privateKey, Private: true));
                        var (host, port) = SplitPort(target);
                        ssh.Append("Host ").Append(host).Append("\n    HostName ").Append(host).Append("\n    IdentityFile ~/.ssh/").Append(keyFile).Append('\n');
                        if (port is not null)
                        {
                            ssh.Append("    Port ").Append(port).Append('\n');
                        }

                        if (secret.Data.TryGetValue("known_hosts", out var known))
                        {
                            knownHosts.Append(known.TrimEnd('\n')).Append('\n');
                        }
                    }
                    else if (secret.Type == "kubernetes.io/basic-auth" && secret.Data.TryGetValue("username", out var user))
                    {
                        var password = secret.Data.GetValueOrDefault("password", "");
                        var uri = new Uri(target.Contains("://", StringComparison.Ordinal) ? target : "https://" + target);
                        gitConfig.Append("[credential \"").Append(uri.GetLeftPart(UriPartial.Authority)).Append("\"]\n    username = ").Append(user).Append('\n');
                        gitCredentials.Append(uri.Scheme).Append("://").Append(Uri.EscapeDataString(user)).Append(':')
                            .Append(Uri.EscapeDataString(password)).Append('@').Append(uri.Authority).Append('\n');
                    }
                }
                else if (key.StartsWith("tekton.dev/docker-", StringComparison.Ordinal) && secret.Type == "kubernetes.io/basic-auth" &&
                         secret.Data.TryGetValue("username", out var dockerUser))
                {
                    var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{dockerUser}:{secret.Data.GetValueOrDefault("password", "")}"));
                    dockerAuths[target] = new JsonObject { ["auth"] = auth };
                }
            }

            if (secret.Type == "kubernetes.io/dockerconfigjson" && secret.Data.TryGetValue(".dockerconfigjson", out var dockerJson) &&
                JsonNode.Parse(dockerJson)?["auths"] is JsonObject auths)
            {
                foreach (var (registry, value) in auths)
                {
                    dockerAuths[registry] = value?.DeepClone();
                }
            }
        }

        if (ssh.Length > 0)
        {
            files.Add(new CredentialFile(".ssh/config", ssh.ToString(), Private: true));
        }

        if (knownHosts.Length > 0)
        {
            files.Add(new CredentialFile(".ssh/known_hosts", knownHosts.ToString(), Private: false));
        }

        if (gitCredentials.Length > 0)
        {
            files.Add(new CredentialFile(".gitconfig", "[credential]\n    helper = store\n" + gitConfig, Private: false));
            files.Add(new CredentialFile(".git-credentials", gitCredentials.ToString(), Private: true));
        }

        if (dockerAuths.Count > 0)
        {
            files.Add(new CredentialFile(".docker/config.json", new JsonObject { ["auths"] = dockerAuths }.ToJsonString(), Private: true));
        }

        secretValues = values.ToImmutable();
        return files.ToImmutable();
    }

    private static (string Host, string? Port) SplitPort(string target)
    {
        var colon = target.LastIndexOf(':');
        return colon > 0 && int.TryParse(target[(colon + 1)..], out _) ? (target[..colon], target[(colon + 1)..]) : (target, null);
    }
}
