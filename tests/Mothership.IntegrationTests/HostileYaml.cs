namespace Mothership.IntegrationTests;

/// <summary>
/// The inputs of the hardening issue that crashed or exhausted <c>mship</c> and the server, each
/// with where its diagnostic points and words of the message that name the limit.
/// </summary>
internal static class HostileYaml
{
    /// <summary>Each case's name, for theories.</summary>
    public static TheoryData<string> Names => new(All.Keys);

    public static (string Yaml, int Line, int Column, string Message) Get(string name) => All[name];

    /// <summary>
    /// The kind whose validation refuses the case (PipelineRun, Pipeline), or null when the YAML
    /// reader does, whatever the document holds.
    /// </summary>
    public static string? RefusedAs(string name) => name switch
    {
        "matrix" or "timeout" => "PipelineRun",
        "pipeline-matrix" => "Pipeline",
        _ => null,
    };

    private static readonly Dictionary<string, (string Yaml, int Line, int Column, string Message)> All = new(StringComparer.Ordinal)
    {
        // 200 KB of '[': the reader recursed once per level and the process died of a stack overflow.
        ["nested"] = ("a: " + new string('[', 100_000) + new string(']', 100_000) + "\n", 1, 35, "more than 32 levels"),

        // An alias inside its own anchor: converting it to plain values recursed forever.
        ["self-alias"] = ("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: loop}
            spec:
              taskRunTemplate:
                podTemplate:
                  affinity: &l {x: *l}
              pipelineSpec:
                tasks:
                  - name: a
                    taskSpec:
                      steps: [{name: s, image: bash, script: "true"}]

            """, 7, 24, "alias *l is inside the node its anchor &l names"),

        // 7 levels × 10 aliases: 10^7 nodes from a few hundred bytes (19 s, 4.3 GB, a 69 MB run object).
        ["alias-bomb"] = (AliasBomb(), 12, 53, "aliases expand to more than 100000 nodes"),

        // 3 params × 100 values: 1,000,000 TaskRuns (14 GB in 70 s); Tekton allows 256.
        ["matrix"] = ($$"""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: mx}
            spec:
              pipelineSpec:
                tasks:
                  - name: a
                    matrix:
                      params:
                        - {name: x, value: [{{Values()}}]}
                        - {name: y, value: [{{Values()}}]}
                        - {name: z, value: [{{Values()}}]}
                    taskSpec:
                      params: [{name: x}, {name: y}, {name: z}]
                      steps: [{name: s, image: bash, script: "true"}]

            """, 8, 9, "fans out to 1000000 TaskRuns: at most 256 are allowed"),

        // The same matrix in a Pipeline, as `mship apply` and POST /apply take it.
        ["pipeline-matrix"] = ($$"""
            apiVersion: tekton.dev/v1
            kind: Pipeline
            metadata: {name: mx}
            spec:
              tasks:
                - name: a
                  matrix:
                    params:
                      - {name: x, value: [{{Values()}}]}
                      - {name: y, value: [{{Values()}}]}
                      - {name: z, value: [{{Values()}}]}
                  taskSpec:
                    params: [{name: x}, {name: y}, {name: z}]
                    steps: [{name: s, image: bash, script: "true"}]

            """, 7, 7, "fans out to 1000000 TaskRuns: at most 256 are allowed"),

        // A year: accepted, then the run ended InternalError (ArgumentOutOfRangeException) past the timers' 49.7 days.
        ["timeout"] = ("""
            apiVersion: tekton.dev/v1
            kind: PipelineRun
            metadata: {name: long}
            spec:
              timeouts: {pipeline: 8760h}
              pipelineSpec:
                tasks:
                  - name: a
                    taskSpec:
                      steps: [{name: s, image: bash, script: "true"}]

            """, 5, 14, "timeout '8760h' is longer than 1000h0m0s, the longest Mothership can wait"),
    };

    private static string Values() => string.Join(", ", Enumerable.Range(0, 100).Select(i => $"v{i}"));

    private static string AliasBomb()
    {
        var lines = new List<string>
        {
            "apiVersion: tekton.dev/v1", "kind: PipelineRun", "metadata: {name: bomb}", "spec:",
            "  taskRunTemplate:", "    podTemplate:", "      affinity:", "        l0: &a0 [x, x, x, x, x, x, x, x, x, x]",
        };
        for (var i = 1; i < 7; i++)
        {
            lines.Add($"        l{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]");
        }

        lines.AddRange(["  pipelineSpec:", "    tasks:", "      - name: a", "        taskSpec:", "          steps: [{name: s, image: bash, script: \"true\"}]"]);
        return string.Join('\n', lines) + "\n";
    }
}
