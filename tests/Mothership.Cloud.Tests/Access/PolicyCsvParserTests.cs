using Mothership.Cloud.Access;
using Mothership.Model.Diagnostics;
using Mothership.Model.Limits;

namespace Mothership.Cloud.Tests.Access;

/// <summary>Reading Argo CD's RBAC CSV: fields, comments, whitespace, and each mistake at FILE:LINE:COL naming its field.</summary>
public sealed class PolicyCsvParserTests
{
    private static (PolicyFile File, List<string> Errors) Parse(string text, InputLimits? limits = null)
    {
        var bag = new DiagnosticBag();
        var file = PolicyCsvParser.Parse("policy.csv", text, bag, limits);
        return (file, [.. bag.Sorted().Select(d => d.ToString())]);
    }

    [Fact]
    public void Parse_RulesBindingsCommentsAndBlankLines_KeepsEachLinesOrigin()
    {
        var (file, errors) = Parse("""
            # deployers of stage
            p, role:stage-deployer, deploys, create, stage/*, allow

              p ,role:stage-deployer,deploys ,  get,stage/*,deny  
            g, alice, role:stage-deployer
            g,my-org:team-beta,role:admin
            """.Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.Empty(errors);
        Assert.Equal(
            [
                new PolicyRule("role:stage-deployer", "deploys", "create", "stage/*", PolicyEffect.Allow, new PolicyOrigin("policy.csv", 2, "p, role:stage-deployer, deploys, create, stage/*, allow")),
                new PolicyRule("role:stage-deployer", "deploys", "get", "stage/*", PolicyEffect.Deny, new PolicyOrigin("policy.csv", 4, "p ,role:stage-deployer,deploys ,  get,stage/*,deny")),
            ],
            file.Rules);
        Assert.Equal(
            [
                new RoleBinding("alice", "role:stage-deployer", new PolicyOrigin("policy.csv", 5, "g, alice, role:stage-deployer")),
                new RoleBinding("my-org:team-beta", "role:admin", new PolicyOrigin("policy.csv", 6, "g,my-org:team-beta,role:admin")),
            ],
            file.Bindings);
    }

    [Theory]
    [InlineData("p, alice, runs, deploy, *, allow", "policy.csv:1:17: error: action: 'deploy' is not one of get, create, cancel, rerun, delete, approve or *")]
    [InlineData("p, alice, apps, get, *, allow", "policy.csv:1:11: error: resource: 'apps' is not one of runs, pipelines, tasks, sites, deploys, rollouts, settings or *")]
    [InlineData("p, alice, runs, get, *, permit", "policy.csv:1:25: error: effect: 'permit' is not allow or deny")]
    [InlineData("p, alice, runs, get, *", "policy.csv:1:1: error: a p line has 6 fields (p, SUBJECT, RESOURCE, ACTION, OBJECT, EFFECT), this one has 5")]
    [InlineData("  g, alice", "policy.csv:1:3: error: a g line has 3 fields (g, MEMBER, role:NAME), this one has 2")]
    [InlineData("g, alice, stage-deployer", "policy.csv:1:11: error: role: 'stage-deployer' is not role:NAME (NAME: letters, digits, '.', '_', '-', at most 63)")]
    [InlineData("g, alice, role:", "policy.csv:1:11: error: role: 'role:' is not role:NAME (NAME: letters, digits, '.', '_', '-', at most 63)")]
    [InlineData("p, role:a b, runs, get, *, allow", "policy.csv:1:4: error: subject: 'role:a b' is not role:NAME (NAME: letters, digits, '.', '_', '-', at most 63)")]
    [InlineData("p, , runs, get, *, allow", "policy.csv:1:4: error: subject: empty")]
    [InlineData("p, \"alice\", runs, get, *, allow", "policy.csv:1:4: error: subject: quotes are not part of the format here; write the value bare")]
    [InlineData("p, alice, deploys, create, stage, allow", "policy.csv:1:28: error: object: 'stage' matches nothing: objects are ENVIRONMENT/SITE (prod/prod-kr1) or -/NAME for what no site owns; write a glob such as stage/* or *")]
    [InlineData("x, alice, role:admin", "policy.csv:1:1: error: line type: 'x' is not p (a rule: p, SUBJECT, RESOURCE, ACTION, OBJECT, EFFECT) or g (a role binding: g, MEMBER, role:NAME)")]
    [InlineData("P, alice, runs, get, *, allow", "policy.csv:1:1: error: line type: 'P' is not p (a rule: p, SUBJECT, RESOURCE, ACTION, OBJECT, EFFECT) or g (a role binding: g, MEMBER, role:NAME)")]
    public void Parse_Mistake_IsReportedAtItsFieldsColumn(string line, string expected)
    {
        var (file, errors) = Parse("# header\n" + line + "\n");

        Assert.Equal([expected.Replace("policy.csv:1:", "policy.csv:2:", StringComparison.Ordinal)], errors);
        Assert.Empty(file.Rules);
        Assert.Empty(file.Bindings);
    }

    [Fact]
    public void Parse_SeveralMistakes_ReportsEveryOneAndKeepsTheGoodLines()
    {
        var (file, errors) = Parse("p, a, runs, deploy, *, maybe\np, a, runs, get, *, allow\ng, a, admin\n");

        Assert.Equal(
            [
                "policy.csv:1:13: error: action: 'deploy' is not one of get, create, cancel, rerun, delete, approve or *",
                "policy.csv:1:24: error: effect: 'maybe' is not allow or deny",
                "policy.csv:3:7: error: role: 'admin' is not role:NAME (NAME: letters, digits, '.', '_', '-', at most 63)",
            ],
            errors);
        Assert.Equal(2, Assert.Single(file.Rules).Origin.Line);
    }

    [Fact]
    public void Parse_WildcardResourceAndAction_AreAccepted()
    {
        var (file, errors) = Parse("p, role:ops, *, *, -/*, allow");

        Assert.Empty(errors);
        Assert.Equal(("*", "*", "-/*"), (file.Rules[0].Resource, file.Rules[0].Action, file.Rules[0].Object));
    }

    [Fact]
    public void Parse_MoreLinesThanTheLimit_IsAnErrorAtTheFirstLineBeyond()
    {
        var (file, errors) = Parse(string.Concat(Enumerable.Repeat("g, alice, role:x\n", 4)), new InputLimits { MaxPolicyLines = 3 });

        Assert.Equal(["policy.csv:4:1: error: policy has more than 3 lines, the limit"], errors);
        Assert.Equal(3, file.Bindings.Length);
    }

    [Fact]
    public void Parse_ExactlyTheLineLimitWithATrailingNewline_IsAccepted()
    {
        var (file, errors) = Parse(string.Concat(Enumerable.Repeat("g, alice, role:x\n", 3)), new InputLimits { MaxPolicyLines = 3 });

        Assert.Empty(errors);
        Assert.Equal(3, file.Bindings.Length);
    }

    [Fact]
    public void Parse_LargerThanTheByteLimit_IsOneErrorAndNoRules()
    {
        var (file, errors) = Parse("# " + new string('x', 100) + "\np, a, runs, get, *, allow\n", new InputLimits { MaxPolicyBytes = 64 });

        Assert.Equal(["policy.csv: error: policy of 129 bytes is larger than the limit of 64 bytes"], errors);
        Assert.Empty(file.Rules);
    }

    [Fact]
    public void ReadFile_MissingOrTooLarge_IsADiagnosticNamingTheFile()
    {
        var dir = Directory.CreateTempSubdirectory("mship-policy-");
        try
        {
            var big = Path.Combine(dir.FullName, "big.csv");
            File.WriteAllText(big, new string('#', 100));
            var bag = new DiagnosticBag();

            PolicyCsvParser.ReadFile(Path.Combine(dir.FullName, "missing.csv"), bag);
            PolicyCsvParser.ReadFile(big, bag, new InputLimits { MaxPolicyBytes = 10 });

            Assert.Equal(
                [
                    $"{big}: error: policy file of 100 bytes is larger than the limit of 10 bytes",
                    $"{Path.Combine(dir.FullName, "missing.csv")}: error: policy file not found",
                ],
                bag.Sorted().Select(d => d.ToString()));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void ReadFile_ExampleCloudPolicy_HasNoMistakes()
    {
        var bag = new DiagnosticBag();

        var file = PolicyCsvParser.ReadFile(Path.Combine(Fixtures.RepositoryRoot(), "examples", "cloud", "policy.csv"), bag);

        Assert.Empty(bag.Items);
        Assert.NotEmpty(file.Rules);
        Assert.NotEmpty(file.Bindings);
    }
}
