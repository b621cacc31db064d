using Mothership.Engine.Execution;

namespace Mothership.Executors.Local.Credentials;

/// <summary>
/// Tekton's creds-init on this machine: the engine's <see cref="CredentialFiles"/> written into
/// the attempt's home, private ones readable by their owner only; secret values go to the log
/// masker.
/// </summary>
internal static class CredentialInitializer
{
    public static void Write(string home, TaskRunRequest request, SecretMasker masker)
    {
        var files = CredentialFiles.Build(request, out var secretValues, out var error) ?? throw new AttemptFailure(error!);
        foreach (var value in secretValues)
        {
            masker.Add(value);
        }

        foreach (var file in files)
        {
            var path = Path.Combine(home, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, file.Content);
            if (file.Private && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }
}
