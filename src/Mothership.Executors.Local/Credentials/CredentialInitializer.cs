using System.Text;
using System.Text.Json.Nodes;
using Mothership.Engine.Execution;
using Mothership.Executors.Local.Steps;
using Mothership.Model.Tekton;

namespace Mothership.Executors.Local.Credentials;

/// <summary>
/// Tekton's creds-init: the secrets of the TaskRun's ServiceAccount that carry a
/// <c>tekton.dev/git-N</c> or <c>tekton.dev/docker-N</c> annotation become files in the steps'
/// home — SSH keys and config, git's credential store, docker's config.json — and nothing else
/// appears there. Secret values are added to the log masker.
/// </summary>
internal static class CredentialInitializer
{
    public static void Write(string home, TaskRunRequest request, SecretMasker masker)
    {
        if (request.ServiceAccountName is not { } name || request.Resources.FindServiceAccount(name) is not { } account)
        {
            return;
        }

        var ssh = new StringBuilder();
        var knownHosts = new StringBuilder();
        var gitConfig = new StringBuilder();
        var gitCredentials = new StringBuilder();
        var dockerAuths = new JsonObject();
        foreach (var secretName in account.Secrets)
        {
            if (request.Resources.FindSecret(secretName) is not { } secret)
            {
                throw new TaskRunFailure($"ServiceAccount \"{name}\" names Secret \"{secretName}\", which is not defined in the files given");
            }

            foreach (var value in secret.Data.Values)
            {
                masker.Add(value);
            }

            foreach (var (key, target) in secret.Metadata.Annotations)
            {
                if (key.StartsWith("tekton.dev/git-", StringComparison.Ordinal))
                {
                    if (secret.Type == "kubernetes.io/ssh-auth" && secret.Data.TryGetValue("ssh-privatekey", out var privateKey))
                    {
                        var keyFile = $"id_{secret.Metadata.Name}";
                        WriteFile(Path.Combine(home, ".ssh", keyFile), privateKey, privateFile: true);
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
            WriteFile(Path.Combine(home, ".ssh", "config"), ssh.ToString(), privateFile: true);
        }

        if (knownHosts.Length > 0)
        {
            WriteFile(Path.Combine(home, ".ssh", "known_hosts"), knownHosts.ToString(), privateFile: false);
        }

        if (gitCredentials.Length > 0)
        {
            WriteFile(Path.Combine(home, ".gitconfig"), "[credential]\n    helper = store\n" + gitConfig, privateFile: false);
            WriteFile(Path.Combine(home, ".git-credentials"), gitCredentials.ToString(), privateFile: true);
        }

        if (dockerAuths.Count > 0)
        {
            WriteFile(Path.Combine(home, ".docker", "config.json"), new JsonObject { ["auths"] = dockerAuths }.ToJsonString(), privateFile: true);
        }
    }

    private static (string Host, string? Port) SplitPort(string target)
    {
        var colon = target.LastIndexOf(':');
        return colon > 0 && int.TryParse(target[(colon + 1)..], out _) ? (target[..colon], target[(colon + 1)..]) : (target, null);
    }

    private static void WriteFile(string path, string content, bool privateFile)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (privateFile && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
