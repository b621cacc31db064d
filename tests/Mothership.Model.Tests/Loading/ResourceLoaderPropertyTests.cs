using CsCheck;
using Mothership.Model.Diagnostics;
using Mothership.Model.Limits;
using Mothership.Model.Loading;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;

namespace Mothership.Model.Tests.Loading;

/// <summary>
/// The loader's promise, on generated and mutated YAML: whatever the text, <see cref="ResourceLoader.Load"/>
/// (and the validator and substitution after it) gives resources and diagnostics, never another
/// exception, a crash or a hang. Seeded; <c>MSHIP_FUZZ_ITERATIONS=1000000</c> for a long run.
/// </summary>
public sealed class ResourceLoaderPropertyTests
{
    /// <summary>Valid documents to mutate: every kind the loader reads, with the YAML features they use.</summary>
    private static readonly string[] Seeds =
    [
        """
        apiVersion: tekton.dev/v1
        kind: Task
        metadata: {name: build, labels: {app: web}}
        spec:
          params:
            - {name: target, type: string, default: all}
            - name: flags
              type: array
              default: [-v, "--x=1"]
            - {name: cfg, type: object, properties: {url: {type: string}}, default: {url: "https://x"}}
          results: [{name: digest}, {name: list, type: array}]
          workspaces: [{name: src, mountPath: /src, readOnly: true}]
          stepTemplate: {env: [{name: A, value: b}]}
          sidecars: [{name: db, image: postgres, readinessProbe: {exec: {command: [pg_isready]}}}]
          volumes: [{name: v, emptyDir: {}}]
          steps:
            - name: compile
              image: golang
              timeout: 10m
              onError: continue
              env:
                - {name: TOKEN, valueFrom: {secretKeyRef: {name: s, key: k}}}
              args: ["$(params.flags[*])", "$(params.cfg.url)"]
              script: |
                #!/usr/bin/env bash
                make $(params.target) > $(results.digest.path)
              volumeMounts: [{name: v, mountPath: /cache}]
        """,
        """
        apiVersion: tekton.dev/v1
        kind: Pipeline
        metadata: {name: ci}
        spec:
          params: [{name: oses, type: array, default: [linux, mac]}]
          workspaces: [{name: shared}]
          tasks:
            - name: fetch
              taskRef: {name: build}
              workspaces: [{name: src, workspace: shared}]
            - name: test
              runAfter: [fetch]
              retries: 2
              timeout: 1h
              when: [{input: "$(params.oses[0])", operator: in, values: [linux]}]
              matrix:
                params: [{name: os, value: ["$(params.oses[*])"]}]
                include: [{name: extra, params: [{name: os, value: bsd}]}]
              taskSpec:
                params: [{name: os}]
                results: [{name: out}]
                steps: [{name: s, image: bash, script: "echo $(params.os) > $(results.out.path)"}]
          finally:
            - name: report
              params: [{name: st, value: "$(tasks.test.status)"}, {name: all, value: "$(tasks.test.results.out[*])"}]
              taskSpec:
                params: [{name: st}, {name: all, type: array}]
                steps: [{image: bash, args: ["$(params.all[*])"]}]
          results: [{name: r, value: "$(tasks.fetch.results.digest)"}]
        """,
        """
        apiVersion: tekton.dev/v1
        kind: PipelineRun
        metadata: {generateName: run-}
        spec:
          pipelineRef: {name: ci}
          params: [{name: oses, value: [linux]}]
          timeouts: {pipeline: 2h, tasks: 1h30m, finally: 10m}
          taskRunTemplate:
            serviceAccountName: sa
            podTemplate:
              nodeSelector: {disk: ssd}
              affinity: &aff
                nodeAffinity:
                  requiredDuringSchedulingIgnoredDuringExecution:
                    nodeSelectorTerms: [{matchExpressions: [{key: a, operator: In, values: [b]}]}]
          taskRunSpecs: [{pipelineTaskName: test, podTemplate: {affinity: *aff}}]
          workspaces:
            - name: shared
              volumeClaimTemplate: {spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cm}
        data: {a: "1", b: two}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: s}
        data: {k: aGVsbG8=}
        stringData: {plain: text}
        """,
        """
        apiVersion: tekton.dev/v1
        kind: TaskRun
        metadata: {name: tr}
        spec:
          timeout: 30m
          retries: 1
          params: [{name: x, value: y}]
          workspaces: [{name: w, configMap: {name: cm, items: [{key: a, path: a.txt}]}}]
          taskSpec:
            params: [{name: x}]
            steps:
              - {name: one, image: alpine, env: &env [{name: A, value: b}], script: "echo $(params.x)"}
              - {name: two, image: alpine, env: *env}
              - {ref: {name: act}, params: [{name: p, value: "$(params.x)"}]}
        ---
        apiVersion: tekton.dev/v1beta1
        kind: StepAction
        metadata: {name: act}
        spec:
          params: [{name: p}]
          image: alpine
          script: echo $(params.p)
        """,
    ];

    /// <summary>Pieces of YAML syntax (and of what breaks it) that mutations insert.</summary>
    private static readonly string[] Tokens =
    [
        ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "&a ", "*a", "&b ", "*b", "&a [*a]", "*nowhere", "!tag ", "!!str ", "!!map ", "!!binary ",
        "|", "|-", ">-", "'", "\"", "#", "%YAML 1.2\n", "%TAG ! tag:x:\n", "---\n", "...\n", "? ", "\n", "  ", "    ", "\t", "\r\n", "\r",
        "$(params.x)", "$(", ")", "$(params.list[99999999999])", "$(params.flags[99999999999])", "$(params.flags[1])", "$(tasks.a.results.r[*])", "<<: *a\n", "~", "null", "true", "0x1F", "1e999",
        "\0", "\uFEFF", "\u2028", "\uD800", "é", "\\", "\\u", "apiVersion: tekton.dev/v1\n", "kind: Pipeline\n", "name: ", "tasks:\n",
        "timeout: 8760h", "timeout: -1s", "retries: 99999999999", "matrix: {params: [{name: p, value: [a, b]}]}", "spec:\n", "steps: []",
        "[[[[[[[[", "]]]]]]]]", "{a: {b: {c: {d: ", "&x {y: *x}",
    ];

    private static readonly Gen<string> Token = Gen.Frequency<string>(
        (6, Gen.OneOf(Tokens)),
        (2, Gen.Char.Select(c => c.ToString())),
        (1, Gen.Int[1, 200].Select(n => new string('[', n))));

    /// <summary>One edit of a text, positions taken as fractions of its length.</summary>
    private static readonly Gen<Func<string, string>> Mutation = Gen.OneOf<Func<string, string>>(
        Gen.Select(Gen.Double, Token, (at, token) => (Func<string, string>)(t => t.Insert(Index(t, at), token))),
        Gen.Select(Gen.Double, Gen.Int[1, 40], (at, length) => (Func<string, string>)(t =>
        {
            var i = Index(t, at);
            return t.Remove(i, Math.Min(length, t.Length - i));
        })),
        Gen.Select(Gen.Double, Gen.Double, Gen.Int[1, 80], (from, to, length) => (Func<string, string>)(t =>
        {
            var i = Index(t, from);
            return t.Insert(Index(t, to), t.Substring(i, Math.Min(length, t.Length - i)));
        })),
        Gen.Double.Select(at => (Func<string, string>)(t => t[..Index(t, at)])),
        Gen.Select(Gen.Double, Gen.Double, (a, b) => (Func<string, string>)(t =>
        {
            var lines = t.Split('\n');
            lines[Index(lines.Length, a)] = lines[Index(lines.Length, b)];
            return string.Join('\n', lines);
        })),
        // Keeps the document's shape and changes one value, so more inputs get past the parser to the validator.
        Gen.Select(Gen.Double, Gen.OneOf<string>(Token, Gen.Char.Array[0, 12].Select(c => new string(c)), Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            (at, value) => (Func<string, string>)(t =>
            {
                var lines = t.Split('\n');
                var i = Index(lines.Length, at);
                var colon = lines[i].LastIndexOf(": ", StringComparison.Ordinal);
                lines[i] = colon < 0 ? lines[i] : lines[i][..(colon + 2)] + value;
                return string.Join('\n', lines);
            })));

    private static readonly Gen<string> Mutated = Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Frequency<int>((4, Gen.Const(1)), (3, Gen.Int[2, 3]), (1, Gen.Int[4, 8])).SelectMany(n => Mutation.Array[n]),
        (seed, edits) => edits.Aggregate(Seeds[seed], (text, edit) => edit(text)));

    private static readonly Gen<string> TokenSoup = Token.Array[0, 60].Select(t => string.Concat(t));

    private static readonly Gen<InputLimits> Limits = Gen.OneOf<InputLimits>(
        Gen.Const(InputLimits.Default),
        Gen.Select(Gen.Int[1, 8], Gen.Int[1, 300], Gen.Int[0, 40], Gen.Int[0, 200], (depth, nodes, aliases, scalar) => InputLimits.Default with
        {
            MaxYamlDepth = depth,
            MaxYamlNodes = nodes,
            MaxYamlAliasNodes = aliases,
            MaxYamlScalarLength = scalar,
            MaxPipelineTasks = 1,
            MaxMatrixCombinations = 1,
        }));

    private static readonly VariableScope Scope = new VariableScope()
        .Set("params.x", "value")
        .Set("params.target", "$(params.x)")
        .Set("params.flags", ParamValue.Of(["a", "$(params.x)"]))
        .Set("params.cfg", ParamValue.Of([KeyValuePair.Create("url", "u")]))
        .Set("results.digest.path", "/tekton/results/digest");

    [Fact]
    public void Load_MutatedTektonYaml_OnlyDiagnostics() =>
        PropertyRun.Check(Gen.Select(Gen.OneOf<string>(Mutated, Mutated, TokenSoup), Limits), input => LoadValidateSubstitute(input.Item1, input.Item2),
            normalIterations: 3_000, seed: 0x79616D6CUL, print: input => $"limits {input.Item2}\n---8<---\n{input.Item1}\n---8<---");

    [Fact]
    public void Load_EverySeed_IsValid()
    {
        foreach (var seed in Seeds)
        {
            var bag = new DiagnosticBag();
            var resources = ResourceLoader.Load("seed.yaml", seed, bag);
            ResourceValidator.Validate(new ResourceSet { All = [.. resources] }, bag);

            // The seeds reference one another (Task build, Pipeline ci, StepAction act): only those references may fail.
            Assert.All(bag.Items, d => Assert.Contains("which is not defined", d.Message, StringComparison.Ordinal));
            Assert.NotEmpty(resources);
        }
    }

    private static void LoadValidateSubstitute(string text, InputLimits limits)
    {
        var bag = new DiagnosticBag();
        var resources = ResourceLoader.Load("fuzz.yaml", text, bag, limits);
        Assert.All(bag.Items, d =>
        {
            Assert.Equal("fuzz.yaml", d.Location.File);
            Assert.False(string.IsNullOrWhiteSpace(d.Message));
        });
        if (resources.Count == 0)
        {
            return;
        }

        ResourceValidator.Validate(new ResourceSet { All = [.. resources] }, bag, limits);
        foreach (var spec in resources.OfType<TektonTask>().Select(t => t.Spec)
                     .Concat(resources.OfType<TaskRun>().Select(r => r.Spec.TaskSpec))
                     .Concat(resources.OfType<Pipeline>().SelectMany(p => p.Spec.Tasks.Concat(p.Spec.Finally)).Select(t => t.TaskSpec)))
        {
            if (spec is not null)
            {
                TaskSpecRewriter.Apply(spec, Scope);
            }
        }
    }

    private static int Index(string text, double fraction) => Index(text.Length + 1, fraction);

    private static int Index(int count, double fraction) => Math.Clamp((int)(fraction * count), 0, Math.Max(0, count - 1));
}
