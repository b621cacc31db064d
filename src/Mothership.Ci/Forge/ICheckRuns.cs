namespace Mothership.Ci.Forge;

/// <summary>
/// Check runs on a forge: a named result on a commit with a page of its own (summary,
/// annotations on files). GitHub creates them only for a GitHub App (<see cref="GitHubAppForge"/>);
/// a token's requests are refused.
/// </summary>
public interface ICheckRuns
{
    /// <summary>The check runs named <paramref name="name"/> on commit <paramref name="sha"/>, newest first.</summary>
    Task<IReadOnlyList<CheckRun>> ListCheckRunsAsync(RepositoryName repository, string sha, string name, CancellationToken cancellationToken = default);

    /// <summary>Creates a check run.</summary>
    Task<CheckRun> CreateCheckRunAsync(RepositoryName repository, CheckRunReport report, CancellationToken cancellationToken = default);

    /// <summary>Updates check run <paramref name="id"/> with <paramref name="report"/>.</summary>
    Task<CheckRun> UpdateCheckRunAsync(RepositoryName repository, long id, CheckRunReport report, CancellationToken cancellationToken = default);
}
