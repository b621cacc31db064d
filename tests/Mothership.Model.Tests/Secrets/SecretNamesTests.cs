using Mothership.Model.Secrets;
using Mothership.Model.Tekton;

namespace Mothership.Model.Tests.Secrets;

public sealed class SecretNamesTests
{
    [Theory]
    [InlineData("password", true)]
    [InlineData("db-password", true)]
    [InlineData("apiToken", true)]
    [InlineData("ssh_key", true)]
    [InlineData("GITHUB_TOKEN", true)]
    [InlineData("client.secret", true)]
    [InlineData("keystone-url", false)]
    [InlineData("monkey", false)]
    [InlineData("tokenizer", false)]
    [InlineData("image", false)]
    public void LooksSecret_Name_ByItsWords(string name, bool expected) => Assert.Equal(expected, SecretNames.LooksSecret(name));

    [Fact]
    public void Values_SecretLookingParamsNotPlain_AllTheirStrings()
    {
        var values = SecretNames.Values(
        [
            KeyValuePair.Create("password", ParamValue.Of("p1")),
            KeyValuePair.Create("tokens", ParamValue.Of(["t1", "t2"])),
            KeyValuePair.Create("api-key", ParamValue.Of("plain-one")),
            KeyValuePair.Create("url", ParamValue.Of("u")),
            KeyValuePair.Create("secret", ParamValue.Of("")),
        ], new HashSet<string> { "api-key" });

        Assert.Equal(["p1"], values);
    }

    [Fact]
    public void Plain_Annotation_CommaSeparatedNames() =>
        Assert.Equal(new HashSet<string> { "a", "b" }, SecretNames.Plain(new Dictionary<string, string> { ["mothership.io/plain-params"] = " a, b ," }));
}
