using System.Collections.Immutable;
using Mothership.Model.Tekton;

namespace Mothership.Ci.Triggers;

/// <summary>
/// The checkout of a job's refs into its <c>source</c> workspace, as Prow's clonerefs makes it:
/// the base branch fetched and its commit checked out (its head, when the refs name no commit), then each pull request's head merged onto
/// it with <c>--no-ff</c>. It is a step (of the job's TaskRun, or of a first pipeline task), so it
/// runs the same on the local executor (git on the host) and on Kubernetes (the image's git).
/// With <see cref="CloneCredentials"/> it fetches as the bot: the token, in a Secret sent with the
/// run, reaches only this step (env <c>secretKeyRef</c>, so it is masked in logs) and git only as
/// an <c>http.&lt;forge&gt;.extraHeader</c> given through <c>GIT_CONFIG_*</c> variables — never in
/// the run's spec, a URL, a command line or the checkout's <c>.git/config</c>.
/// </summary>
public static class CloneRefs
{
    /// <summary>The workspace that holds the checkout.</summary>
    public const string Workspace = "source";

    /// <summary>The name of the step, and of the pipeline task that runs it.</summary>
    public const string Name = "clonerefs";

    /// <summary>The image of the step on Kubernetes when none is configured.</summary>
    public const string DefaultImage = "docker.io/alpine/git:2.47.2";

    // The refs reach the script as environment variables, never spliced into its text, so a
    // branch name cannot inject commands. No "$(": Tekton would read it as a variable.
    private const string Script = """
        #!/bin/sh
        set -eu
        dir="$(workspaces.source.path)"
        git init -q "$dir"
        cd "$dir"
        git config user.name "Mothership"
        git config user.email "mothership@localhost"
        export GIT_TERMINAL_PROMPT=0
        if [ -n "${CLONE_AUTHORIZATION:-}" ]; then
          export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0="http.${CLONE_AUTH_URL}.extraHeader" GIT_CONFIG_VALUE_0="Authorization: Basic ${CLONE_AUTHORIZATION}"
        fi
        git fetch -q --no-tags "$CLONE_URI" "refs/heads/$PULL_BASE_REF" || git fetch -q --no-tags "$CLONE_URI" "refs/tags/$PULL_BASE_REF"
        # No base commit (a periodic's extra_refs without base_sha): the branch head just fetched.
        git checkout -q "${PULL_BASE_SHA:-FETCH_HEAD}"
        # NUMBER:SHA pairs split on spaces only, never globbed; anything else stops the checkout.
        set -f
        for pull in $CLONE_PULLS; do
          number=${pull%%:*}
          sha=${pull#*:}
          case "$number:$sha" in
            *[!0-9a-fA-F:]*|:*|*:) echo "clonerefs: not a pull request NUMBER:SHA: $pull" >&2; exit 1 ;;
          esac
          git fetch -q --no-tags "$CLONE_URI" "refs/pull/$number/head" || true
          git cat-file -e "$sha^{commit}" 2>/dev/null || git fetch -q --no-tags "$CLONE_URI" "$sha"
          git merge -q --no-ff --no-stat -m "Merge pull request #$number" "$sha"
        done
        set +f
        echo "checked out $PULL_REFS"
        """;

    /// <summary>The step that checks <paramref name="refs"/> out into the workspace, as the bot when <paramref name="credentials"/> are given.</summary>
    public static Step Step(JobRefs refs, string image, CloneCredentials? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(refs);
        ImmutableArray<EnvVar> env =
        [
            new EnvVar { Name = "CLONE_URI", Value = refs.CloneUri },
            new EnvVar { Name = "PULL_BASE_REF", Value = refs.BaseRef },
            new EnvVar { Name = "PULL_BASE_SHA", Value = refs.BaseSha },
            new EnvVar { Name = "PULL_REFS", Value = refs.PullRefs },
            new EnvVar { Name = "CLONE_PULLS", Value = string.Join(" ", refs.Pulls.Select(p => $"{p.Number}:{p.Sha}")) },
        ];
        if (credentials is not null)
        {
            env =
            [
                .. env,
                new EnvVar { Name = "CLONE_AUTH_URL", Value = credentials.Url },
                // The Secret travels in the run's files; on Kubernetes the executor creates it beside the pod.
                new EnvVar { Name = "CLONE_AUTHORIZATION", SecretKeyRef = new KeyRef(credentials.SecretName, CloneCredentials.AuthorizationKey, Optional: false) },
            ];
        }

        return new Step { Name = Name, Image = image, Script = Script, Env = env };
    }

    /// <summary>The pipeline task that runs <see cref="Step"/> with the pipeline's <c>source</c> workspace.</summary>
    public static PipelineTask Task(JobRefs refs, string image, CloneCredentials? credentials = null) => new()
    {
        Name = Name,
        Workspaces = [new WorkspaceTaskBinding { Name = Workspace, Workspace = Workspace }],
        TaskSpec = new TaskSpec
        {
            Workspaces = [new WorkspaceDeclaration { Name = Workspace }],
            Steps = [Step(refs, image, credentials)],
        },
    };

    /// <summary>A workspace declaration named <see cref="Workspace"/>, added when the spec has none.</summary>
    public static ImmutableArray<WorkspaceDeclaration> Declared(ImmutableArray<WorkspaceDeclaration> workspaces) =>
        workspaces.Any(w => w.Name == Workspace) ? workspaces : workspaces.Add(new WorkspaceDeclaration { Name = Workspace });
}
