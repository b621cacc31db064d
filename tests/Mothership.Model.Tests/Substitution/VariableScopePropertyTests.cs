using CsCheck;
using Mothership.Model.Substitution;
using Mothership.Model.Tekton;

namespace Mothership.Model.Tests.Substitution;

/// <summary>
/// <c>$(…)</c> substitution on generated text and scopes: it never throws, leaves text without a
/// variable (and every unknown variable) as written, and replaces in a single pass. Seeded;
/// <c>MSHIP_FUZZ_ITERATIONS=1000000</c> for a long run.
/// </summary>
public sealed class VariableScopePropertyTests
{
    private static readonly string[] Names = ["params.a", "params.list", "params.obj", "params.dotted.name", "tasks.t.results.r", "context.taskRun.name", "workspaces.w.path"];

    private static readonly Gen<string> Piece = Gen.OneOf<string>(
        Gen.OneOf("$(", ")", "(", "$", "params", "tasks", "context", ".", "a", "list", "obj", "url", "dotted", "name", "t", "results", "r", "[", "]", "[*]",
            "[0]", "[1]", "[9]", "[99999999999]", "[-1]", "[\"", "\"]", "['", "']", "\"", "'", " ", "\t", "\n", "*", "0", "params.a", "params.list",
            "params.obj", "$(params.a)", "$(params.list[*])", "$(params.obj.url)", "$(params[\"dotted.name\"])", "$(params.list[99999999999])", "$( params.a )"),
        Gen.Char.Select(c => c.ToString()));

    private static readonly Gen<string> Text = Piece.Array[0, 16].Select(p => string.Concat(p));

    private static readonly Gen<string> Plain = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789 -_./:"].Array[0, 8].Select(c => new string(c));

    private static readonly Gen<ParamValue> Value = Gen.OneOf<ParamValue>(
        Text.Select(ParamValue.Of),
        Text.Array[0, 4].Select(items => ParamValue.Of(items)),
        Gen.Select(Plain, Text).Array[0, 3].Select(kvs => ParamValue.Of(kvs.DistinctBy(kv => kv.Item1).Select(kv => KeyValuePair.Create(kv.Item1, kv.Item2)))));

    private static readonly Gen<VariableScope> Scope = Gen.Select(Gen.OneOf(Names), Value).Array[0, 6]
        .Select(entries => entries.Aggregate(new VariableScope(), (scope, e) => scope.Set(e.Item1, e.Item2)));

    [Fact]
    public void Apply_AnyTextAndScope_NeverThrowsAndKeepsTextWithoutVariables() =>
        PropertyRun.Check(Gen.Select(Text, Scope, Value), input =>
        {
            var (text, scope, value) = input;

            var applied = scope.Apply(text);
            scope.ApplyValue(value);
            scope.ApplyList([text, .. value.ArrayValue]);
            _ = VariableScope.References(text).ToList();
            _ = VariableScope.Normalize(text);
            _ = scope.Resolve(text);

            if (!text.Contains("$(", StringComparison.Ordinal))
            {
                Assert.Equal(text, applied);
            }

            Assert.Equal(text, VariableScope.Empty.Apply(text));
        }, normalIterations: 20_000, seed: 0x7375627374UL, print: input => $"text '{input.Item1}'\nscope:\n{input.Item2}value {input.Item3}");

    [Fact]
    public void Apply_ValuesWithoutVariableSyntax_IsASinglePassThatASecondPassKeeps() =>
        PropertyRun.Check(Gen.Select(Text, Gen.Select(Gen.OneOf(Names), Plain).Array[0, 6]), input =>
        {
            var (text, entries) = input;
            var scope = entries.Aggregate(new VariableScope(), (s, e) => s.Set(e.Item1, e.Item2));

            var once = scope.Apply(text);

            // Values hold no '$', '(' or ')': what is left of $(…) after one pass is unknown and stays.
            Assert.Equal(once, scope.Apply(once));
        }, normalIterations: 20_000, seed: 0x70617373UL, print: input => $"text '{input.Item1}' with {string.Join(", ", input.Item2.Select(e => $"{e.Item1}={e.Item2}"))}");
}
