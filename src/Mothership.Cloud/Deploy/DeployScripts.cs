using Mothership.Cloud.Values;

namespace Mothership.Cloud.Deploy;

/// <summary>
/// The step scripts of the deploy Task. They run in any image with bash, helm and kubectl (the
/// default is <see cref="DeployPipelineOptions.DefaultImage"/>); locally, on the host.
/// Values reach the render step inside a quoted here-document (<c>&lt;&lt;'…'</c>): the shell expands
/// nothing in it, so no quoting in a values file can break out, and the builder refuses values
/// holding the terminator line (<see cref="ValuesEnd"/>). Not through an environment variable:
/// Kubernetes expands <c>$(NAME)</c> and <c>$$</c> in env values, while scripts reach a pod
/// encoded (by Tekton and by this executor alike), so only the script keeps values intact.
/// </summary>
internal static class DeployScripts
{
    private const string Prelude = """
        #!/usr/bin/env bash
        set -euo pipefail
        dir="$(workspaces.state.path)/$(params.site)"
        new="$dir/pending/$(params.service).yaml"
        old="$dir/deployed/$(params.service).yaml"
        ctx=()
        if [ -n "$(params.kube-context)" ]; then ctx+=(--kube-context "$(params.kube-context)"); fi
        if [ -n "$(params.kubeconfig)" ]; then ctx+=(--kubeconfig "$(params.kubeconfig)"); fi

        """;

    /// <summary>The line that ends the values' here-document in <see cref="Render"/>.</summary>
    public const string ValuesEnd = "MOTHERSHIP_VALUES_END";

    public const string Render = Prelude + """
        mkdir -p "$dir/pending" "$dir/deployed"
        cat > "$new" <<'MOTHERSHIP_VALUES_END'
        $(params.values)
        MOTHERSHIP_VALUES_END
        echo "$(params.service): values rendered from the site repository ($(wc -l < "$new") lines) for release $(params.release) in namespace $(params.namespace)"
        """;

    // Logs are kept and shown on the dashboard: values under keys that name a secret are masked.
    public const string Diff = Prelude + """
        mask() { sed -E 's/^([-+ ]?[[:space:]]*[A-Za-z0-9_.-]*(
        """ + SecretValueKeys.Pattern + """
        )[A-Za-z0-9_.-]*:[[:space:]]*).+$/\1
        """ + SecretValueKeys.Mask + """
        /I'; }
        if [ ! -f "$old" ]; then
          echo "$(params.service): first deploy to site $(params.site); every value is new:"
          sed 's/^/+ /' "$new" | mask
          printf 'first-deploy' > "$(results.outcome.path)"
        elif diff -u --label "deployed/$(params.service).yaml" --label "this revision" "$old" "$new" > "$dir/pending/$(params.service).diff"; then
          echo "$(params.service): values unchanged since the last deploy"
          printf 'unchanged' > "$(results.outcome.path)"
        else
          mask < "$dir/pending/$(params.service).diff"
          printf 'changed' > "$(results.outcome.path)"
        fi
        rm -f "$dir/pending/$(params.service).diff"
        """;

    // Not `helm --wait`: OpenStack-Helm's API pods wait (init containers) for jobs that helm runs
    // as post-install hooks, and helm starts hooks only after --wait returns: keystone would never
    // become ready. The next step waits for pods and jobs itself.
    public const string Upgrade = Prelude + """
        if [ "$(params.dry-run)" = "true" ]; then
          echo "dry run: helm upgrade --install $(params.release) $(params.chart) --namespace $(params.namespace) not called"
          exit 0
        fi
        chart="$(params.chart)"
        if [ -z "$(params.chart-repository)" ] && [ -n "$(params.chart-root)" ]; then chart="$(params.chart-root)/$chart"; fi
        args=(upgrade --install "$(params.release)" "$chart" --namespace "$(params.namespace)" --create-namespace --values "$new" --timeout "$(params.timeout)")
        if [ -n "$(params.chart-repository)" ]; then args+=(--repo "$(params.chart-repository)"); fi
        if [ -n "$(params.chart-version)" ]; then args+=(--version "$(params.chart-version)"); fi
        helm "${args[@]}" "${ctx[@]}"
        """;

    // OpenStack-Helm labels every object of a release with release_group=<release>. Ready means:
    // every job complete (a failed job fails the step at once) and every pod not owned by a job Ready.
    public const string Wait = Prelude + """
        if [ "$(params.dry-run)" = "true" ]; then
          echo "dry run: no pods or jobs to wait for"
          exit 0
        fi
        k=(kubectl --namespace "$(params.namespace)")
        if [ -n "$(params.kube-context)" ]; then k+=(--context "$(params.kube-context)"); fi
        if [ -n "$(params.kubeconfig)" ]; then k+=(--kubeconfig "$(params.kubeconfig)"); fi
        selector="release_group=$(params.release)"
        deadline=$(( $(date +%s) + $(params.timeout-seconds) ))
        while true; do
          failed=$("${k[@]}" get jobs -l "$selector" -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.conditions[?(@.type=="Failed")].status}{"\n"}{end}' | awk '$2 == "True" {print $1}')
          if [ -n "$failed" ]; then
            echo "$(params.service): job(s) failed: $failed" >&2
            exit 1
          fi
          jobs=$("${k[@]}" get jobs -l "$selector" -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.status.succeeded}{"\n"}{end}' | awk '$2 != "1" {print $1}')
          pods=$("${k[@]}" get pods -l "$selector" -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.metadata.ownerReferences[0].kind}{" "}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | awk '$2 != "Job" && $3 != "True" {print $1}')
          if [ -z "$jobs" ] && [ -z "$pods" ]; then
            echo "$(params.service): all jobs complete and all pods ready"
            exit 0
          fi
          if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "$(params.service): not ready after $(params.timeout); waiting for: $(echo $jobs $pods)" >&2
            exit 1
          fi
          sleep 5
        done
        """;

    public const string Verify = Prelude + """
        if [ "$(params.dry-run)" = "true" ]; then
          echo "dry run: nothing to verify"
          exit 0
        fi
        if [ "$(params.test)" = "true" ]; then
          helm test "$(params.release)" --namespace "$(params.namespace)" --timeout "$(params.timeout)" --logs "${ctx[@]}"
        else
          helm status "$(params.release)" --namespace "$(params.namespace)" "${ctx[@]}"
        fi
        """;

    public const string Record = Prelude + """
        if [ "$(params.dry-run)" = "true" ]; then
          echo "dry run: the deployed values of $(params.service) stay as they were"
          exit 0
        fi
        mv "$new" "$old"
        echo "$(params.service): recorded the deployed values"
        """;
}
