using System.Collections.Immutable;
using CsCheck;
using Mothership.Server.Api;
using Mothership.Store;

namespace Mothership.Server.Tests.Api;

public sealed class LabelSelectorTests
{
    [Fact]
    public void TryParse_EveryOperator_GivesItsRequirement()
    {
        Assert.True(LabelSelector.TryParse("app=web, tier!=db,env in (dev, stage),zone notin (a),canary,!legacy,x==y,team=,example.com/owner=me", out var r, out var error), error);

        Assert.Equal(
            [
                new LabelRequirement("app", LabelOperator.Equals, ["web"]),
                new LabelRequirement("tier", LabelOperator.NotEquals, ["db"]),
                new LabelRequirement("env", LabelOperator.In, ["dev", "stage"]),
                new LabelRequirement("zone", LabelOperator.NotIn, ["a"]),
                new LabelRequirement("canary", LabelOperator.Exists, []),
                new LabelRequirement("legacy", LabelOperator.DoesNotExist, []),
                new LabelRequirement("x", LabelOperator.Equals, ["y"]),
                new LabelRequirement("team", LabelOperator.Equals, [""]),
                new LabelRequirement("example.com/owner", LabelOperator.Equals, ["me"]),
            ],
            r.Select(x => x with { Values = [.. x.Values] }).ToList(),
            new RequirementComparer());
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("   ", 0)]
    [InlineData("a", 1)]
    public void TryParse_BlankOrOneKey_SelectsAccordingly(string selector, int count)
    {
        Assert.True(LabelSelector.TryParse(selector, out var r, out var error), error);
        Assert.Equal(count, r.Length);
    }

    [Theory]
    [InlineData("env in dev", "'env in' needs its values in parentheses")]
    [InlineData("a b", "found 'b' after the key 'a'")]
    [InlineData("=x", "found '=' where a label key should be")]
    [InlineData("app=we b", "found 'b' after a requirement, expected ',' or the end")]
    [InlineData("a in ()", "'a in ()' has no values: in needs at least one")]
    [InlineData("a notin ( )", "'a notin ()' has no values")]
    [InlineData("a in (", "the values of 'a in' are not closed with ')'")]
    [InlineData("a in (x y)", "found 'y' among the values of 'a in'")]
    [InlineData("a,,b", "found ',' where a label key should be")]
    [InlineData("a,", "a label key is missing at the end")]
    [InlineData("!", "a label key is missing at the end")]
    [InlineData("a>1", "the operators > and < are not supported here")]
    [InlineData("-a=b", "'-a' is not a label key")]
    [InlineData("Example.com/a=b", "'Example.com/a' is not a label key: its prefix")]
    [InlineData("a=-b", "'-b' is not a label value")]
    [InlineData("a=b)", "found ')' after a requirement")]
    public void TryParse_Malformed_SaysWhatIsWrongAndWhere(string selector, string message)
    {
        Assert.False(LabelSelector.TryParse(selector, out var r, out var error));
        Assert.True(r.IsEmpty);
        Assert.StartsWith("labelSelector: ", error, StringComparison.Ordinal);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains($"of '{selector}'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_LongKeyAndValue_Refused()
    {
        Assert.True(LabelSelector.TryParse($"{new string('k', 63)}={new string('v', 63)}", out _, out var error), error);
        Assert.False(LabelSelector.TryParse($"{new string('k', 64)}=v", out _, out _));
        Assert.False(LabelSelector.TryParse($"k={new string('v', 64)}", out _, out _));
    }

    /// <summary>Characters and words a selector is made of, with some it must refuse.</summary>
    private const string Lower = "abcdefghijklmnopqrstuvwxyz";
    private const string Alphanumeric = Lower + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private static readonly Gen<string> Piece = Gen.OneOf<string>(
        Gen.OneOf("a", "app", "web", "k8s.io/x", "example.com/owner", "in", "notin", "v-1", "x_y", "1", "A.b", "é", "\t", "\0"),
        Gen.OneOf("=", "==", "!=", "!", "(", ")", ",", " ", ">", "<", "/", "-", ".", "_", "in (", ") ,"),
        Gen.Char[Alphanumeric + "=!(),<> ./_-"].Select(c => c.ToString()),
        Gen.Char.Select(c => c.ToString()));

    private static readonly Gen<string> Selector = Piece.Array[0, 24].Select(parts => string.Concat(parts));

    [Fact]
    public void TryParse_AnyText_EitherRequirementsTheStoreTakesOrAClearError() =>
        PropertyRun.Check(Selector, text =>
        {
            if (LabelSelector.TryParse(text, out var requirements, out var error))
            {
                Assert.Equal("", error);
                Assert.All(requirements, StoreTakes);
            }
            else
            {
                Assert.True(requirements.IsEmpty);
                Assert.StartsWith("labelSelector: ", error, StringComparison.Ordinal);
            }
        }, normalIterations: 20_000, seed: 0x6C6162656C73UL, print: t => $"'{t}'");

    private static readonly Gen<string> Name = Gen.OneOf<string>(
        Gen.Char[Lower + "0123456789"].Array[1, 5].Select(c => new string(c)),
        Gen.Select(Gen.Char[Alphanumeric], Gen.Char[Alphanumeric + "._-"].Array[0, 8], Gen.Char[Alphanumeric], (a, m, z) => a + new string(m) + z));

    private static readonly Gen<LabelRequirement> Requirement = Gen.OneOf<LabelRequirement>(
        Gen.Select(Name, Gen.OneOf<string>(Name, Gen.Const("")), Gen.Bool, (k, v, not) => new LabelRequirement(k, not ? LabelOperator.NotEquals : LabelOperator.Equals, [v])),
        Gen.Select(Gen.OneOf<string>(Name, Gen.Select(Gen.Char[Lower].Array[1, 6], Name, (p, n) => $"{new string(p)}.io/{n}")), Name.Array[1, 4], Gen.Bool,
            (k, vs, not) => new LabelRequirement(k, not ? LabelOperator.NotIn : LabelOperator.In, [.. vs])),
        Gen.Select(Name, Gen.Bool, (k, not) => new LabelRequirement(k, not ? LabelOperator.DoesNotExist : LabelOperator.Exists, [])));

    [Fact]
    public void TryParse_WrittenRequirements_ReadBackTheSame() =>
        PropertyRun.Check(Requirement.Array[1, 5], written =>
        {
            var text = string.Join(", ", written.Select(Format));

            Assert.True(LabelSelector.TryParse(text, out var read, out var error), $"{text}: {error}");
            Assert.Equal(written.Select(Format), read.Select(Format));
        }, normalIterations: 5_000, seed: 0x726F756E64UL, print: r => string.Join(", ", r.Select(Format)));

    private static string Format(LabelRequirement r) => r.Operator switch
    {
        LabelOperator.Equals => $"{r.Key}={r.Values[0]}",
        LabelOperator.NotEquals => $"{r.Key}!={r.Values[0]}",
        LabelOperator.In => $"{r.Key} in ({string.Join(",", r.Values)})",
        LabelOperator.NotIn => $"{r.Key} notin ({string.Join(",", r.Values)})",
        LabelOperator.Exists => r.Key,
        _ => $"!{r.Key}",
    };

    /// <summary>What the store requires of a requirement (SqlRunStore.LabelCondition), and Kubernetes of keys and values.</summary>
    private static void StoreTakes(LabelRequirement r)
    {
        var values = r.Values.IsDefault ? ImmutableArray<string>.Empty : r.Values;
        Assert.NotEqual("", r.Key);
        Assert.True(r.Operator switch
        {
            LabelOperator.Equals or LabelOperator.NotEquals => values.Length == 1,
            LabelOperator.In or LabelOperator.NotIn => values.Length >= 1,
            _ => values.Length == 0,
        }, $"{r.Operator} with {values.Length} values");
        Assert.True(r.Key.Length <= 253 + 1 + 63, r.Key);
        Assert.All(values, v => Assert.True(v.Length <= 63 && v.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'), v));
        Assert.All(r.Key, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/', r.Key));
    }

    private sealed class RequirementComparer : IEqualityComparer<LabelRequirement>
    {
        public bool Equals(LabelRequirement? x, LabelRequirement? y) =>
            x!.Key == y!.Key && x.Operator == y.Operator && x.Values.SequenceEqual(y.Values);

        public int GetHashCode(LabelRequirement obj) => obj.Key.GetHashCode(StringComparison.Ordinal);
    }
}
