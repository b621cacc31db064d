using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using Mothership.Ci.Jobs;
using Mothership.Ci.Triggers;
using Mothership.Model.Diagnostics;
using Mothership.Model.Tekton;

namespace Mothership.Cli.Commands.Ci;

/// <summary>
/// <c>mship ci test [JOB] [--event pull_request|push] [--repo DIR] [--base BRANCH] --config FILE</c>:
/// runs on the local executor the jobs an event would start for the working tree — presubmits for
/// a pull request from the current branch to the base, postsubmits for a push of the current
/// branch — with the <c>source</c> workspace bound to the working tree instead of a clonerefs
/// checkout and Prow's environment from the local git state. Exit 0 when every job passed (or none
/// ran), 1 when one failed, 2 for a bad config or usage. When the config's <c>in_repo_config</c>
/// enables the repository, the working tree's <c>.prow.yaml</c> (or <c>.prow/</c>) adds its jobs.
/// </summary>
internal static class CiTestCommand
{
    private const string PullRequestEvent = "pull_request";
    private const string PushEvent = "push";

    public static Command Create()
    {
        var job = new Argument<string?>("JOB") { Description = "run only this job, as /test JOB would (even one that runs only when asked)", Arity = ArgumentArity.ZeroOrOne };
        var @event = new Option<string>("--event") { Description = "pull_request (default): the presubmits a pull request from this branch starts; push: the postsubmits a push of it starts", DefaultValueFactory = _ => PullRequestEvent };
        @event.AcceptOnlyFromAmong(PullRequestEvent, PushEvent);
        var repo = new Option<string>("--repo") { Description = "the working tree (default .)", DefaultValueFactory = _ => "." };
        var baseBranch = new Option<string?>("--base") { Description = "the pull request's base branch (default the remote's default branch, else main)" };
        var config = new Option<string>("--config") { Description = "Prow's config.yaml (or a directory of job files) holding the jobs", Required = true };
        var parallel = ParallelOption.Create("how many TaskRuns of a job run at once (default: processors, at least 2)", () => Math.Max(2, Environment.ProcessorCount));
        var command = new Command("test", "Run the CI jobs a pull request (or a push) would start, on this machine, against the working tree")
        {
            job, @event, repo, baseBranch, config, parallel,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!ParallelOption.Check(parse.GetValue(parallel), "mship ci test"))
            {
                return ExitCodes.Usage;
            }

            return await TestAsync(parse.GetValue(job), parse.GetValue(@event) ?? PullRequestEvent, parse.GetValue(repo) ?? ".", parse.GetValue(baseBranch),
                parse.GetValue(config)!, parse.GetValue(parallel), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> TestAsync(string? named, string @event, string repo, string? baseOption, string configPath, int parallel, CancellationToken cancellationToken)
    {
        var bag = new DiagnosticBag();
        var paths = Directory.Exists(configPath)
            ? Directory.EnumerateFiles(configPath, "*.*", SearchOption.AllDirectories).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
            : [configPath];
        var prow = ProwConfig.LoadFiles(paths, bag);
        InputFiles.Print(bag, Console.Error);
        if (prow is null)
        {
            return ExitCodes.Usage;
        }

        var (git, error) = await LocalGitState.ReadAsync(Path.GetFullPath(repo), cancellationToken).ConfigureAwait(false);
        if (git is null)
        {
            await Console.Error.WriteLineAsync($"mship ci test: {error}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var orgRepo = OrgRepo(git, prow, @event);
        var presubmits = prow.PresubmitsFor(orgRepo);
        var postsubmits = prow.PostsubmitsFor(orgRepo);
        if (prow.InRepoConfig.EnabledFor(orgRepo))
        {
            // The working tree's own .prow.yaml (or .prow/), as the trigger reads a trusted pull request's.
            var inRepo = InRepoJobs.ReadDirectory(prow, orgRepo, git.Root);
            var inRepoBag = new DiagnosticBag();
            inRepoBag.AddRange(inRepo.Diagnostics);
            InputFiles.Print(inRepoBag, Console.Error);
            if (inRepo.HasErrors)
            {
                return ExitCodes.Usage;
            }

            presubmits = presubmits.AddRange(inRepo.Presubmits);
            postsubmits = postsubmits.AddRange(inRepo.Postsubmits);
        }

        var slash = orgRepo.IndexOf('/', StringComparison.Ordinal);
        var link = git.CloneUri.StartsWith("https://", StringComparison.Ordinal) ? git.CloneUri.EndsWith(".git", StringComparison.Ordinal) ? git.CloneUri[..^4] : git.CloneUri : "";
        IReadOnlyList<JobDecision> decisions;
        JobRefs refs;
        string type;
        string what;
        if (@event == PushEvent)
        {
            var upstream = await git.ExistsAsync("@{upstream}", cancellationToken).ConfigureAwait(false) ? "@{upstream}"
                : await git.ExistsAsync("HEAD~1", cancellationToken).ConfigureAwait(false) ? "HEAD~1"
                : null;
            var files = await git.ChangedFilesAsync(upstream, cancellationToken).ConfigureAwait(false);
            decisions = LocalJobSelection.Push(postsubmits, git.Branch, files, named);
            refs = new JobRefs(orgRepo[..slash], orgRepo[(slash + 1)..], git.Branch, git.HeadSha, git.CloneUri, link);
            type = JobTypes.Postsubmit;
            what = $"{orgRepo}: push to {git.Branch} at {Short(git.HeadSha)}, {Count(files.Count)} changed since {upstream ?? "nothing"}";
        }
        else
        {
            var baseBranch = baseOption ?? await git.DefaultBranchAsync(cancellationToken).ConfigureAwait(false);
            var resolved = await git.ResolveAsync(baseBranch, cancellationToken).ConfigureAwait(false);
            if (resolved is null)
            {
                await Console.Error.WriteLineAsync($"mship ci test: warning: no branch {baseBranch} (nor origin/{baseBranch}): only uncommitted changes count; give the base with --base").ConfigureAwait(false);
            }

            var files = await git.ChangedFilesAsync(resolved?.Ref, cancellationToken).ConfigureAwait(false);
            decisions = LocalJobSelection.PullRequest(presubmits, baseBranch, files, named);
            refs = new JobRefs(orgRepo[..slash], orgRepo[(slash + 1)..], baseBranch, resolved?.Sha ?? "", git.CloneUri, link)
            {
                // No pull request exists: number 0, the branch and its last commit stand for it.
                Pulls = [new PullRef(0, git.Author, git.HeadSha, git.Branch, git.Subject)],
            };
            type = JobTypes.Presubmit;
            what = $"{orgRepo}: pull request from {git.Branch} ({Short(git.HeadSha)}) to {baseBranch}, {Count(files.Count)} changed";
        }

        Console.WriteLine(what);
        if (named is not null && decisions.Count == 0)
        {
            var kind = @event == PushEvent ? "postsubmit" : "presubmit";
            var names = (@event == PushEvent ? postsubmits.Select(j => j.Name) : presubmits.Select(j => j.Name)).ToList();
            await Console.Error.WriteLineAsync($"mship ci test: {orgRepo} has no {kind} named '{named}'" + (names.Count == 0 ? "" : $"; it has {string.Join(", ", names)}")).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        foreach (var d in decisions)
        {
            Console.WriteLine($"  {(d.Runs ? "run " : "skip")}  {d.Job.Name}: {d.Reason}");
        }

        var runs = decisions.Where(d => d.Runs).Select(d => Build(d.Job, type, refs, git.Root)).ToList();
        if (runs.Count == 0)
        {
            Console.WriteLine(decisions.Count == 0 ? $"no {(@event == PushEvent ? "postsubmits" : "presubmits")} for {orgRepo} in {configPath}" : "no job to run");
            return ExitCodes.Success;
        }

        Console.WriteLine();
        var workdir = Directory.CreateTempSubdirectory("mship-ci-test-");
        try
        {
            var options = new RunCommand.RunOptions([configPath], [], [], Json: false, Pipeline: null, Task: null, parallel, Sandbox: false, workdir.FullName);
            return await RunCommand.ExecuteAsync(new ResourceSet { All = [.. runs], DefinedElsewhere = "the files given" }, runs, [], [], options).ConfigureAwait(false);
        }
        finally
        {
            workdir.Delete(recursive: true);
        }
    }

    /// <summary>The run of <paramref name="job"/>, built as the trigger builds it, with the working tree as its <c>source</c>.</summary>
    private static Resource Build(ProwJob job, string type, JobRefs refs, string workingTree)
    {
        var id = Guid.NewGuid().ToString("N");
        var request = new JobRequest
        {
            Type = type,
            Job = job,
            Refs = refs,
            RunName = JobRunBuilder.RunName(job.Name, "local/" + id),
            BuildId = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        };
        return JobRunBuilder.Build(request, CloneRefs.DefaultImage, workingTree);
    }

    /// <summary>
    /// <c>org/repo</c> from <c>origin</c>; without one, the config's repository of the directory's
    /// name (when exactly one has jobs for the event), else <c>local/DIR</c>.
    /// </summary>
    private static string OrgRepo(LocalGitState git, ProwConfig prow, string @event)
    {
        if (git.OrgRepo is { } fromOrigin)
        {
            return fromOrigin;
        }

        var name = Path.GetFileName(git.Root.TrimEnd(Path.DirectorySeparatorChar));
        var keys = @event == PushEvent ? prow.Postsubmits.Keys : prow.Presubmits.Keys;
        return keys.Where(k => k.EndsWith("/" + name, StringComparison.Ordinal)).ToList() is [var only] ? only : "local/" + name;
    }

    private static string Short(string sha) => sha.Length > 7 ? sha[..7] : sha;

    private static string Count(int files) => files == 1 ? "1 file" : $"{files} files";
}
