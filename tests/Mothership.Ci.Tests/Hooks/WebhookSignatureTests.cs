using System.Text;
using Mothership.Ci.Hooks;

namespace Mothership.Ci.Tests.Hooks;

/// <summary>GitHub's X-Hub-Signature-256, with several secrets during a rotation.</summary>
public sealed class WebhookSignatureTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("Hello, World!");

    [Fact]
    public void Sign_GitHubsDocumentedExample_SameSignature() =>
        // docs.github.com, "Validating webhook deliveries": secret "It's a Secret to Everybody", payload "Hello, World!".
        Assert.Equal("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", WebhookSignature.Sign("It's a Secret to Everybody", Body));

    [Fact]
    public void Verify_SignedWithAnyOfTheSecrets_Valid()
    {
        var signature = new WebhookSignature(["new-secret", "It's a Secret to Everybody"]);

        Assert.True(signature.Verify(WebhookSignature.Sign("It's a Secret to Everybody", Body), Body));
        Assert.True(signature.Verify(WebhookSignature.Sign("new-secret", Body), Body));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha1=0a4d55a8d778e5022fab701977c5d840bbc486d0")]
    [InlineData("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18")]
    [InlineData("sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17x")]
    [InlineData("sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("sha256=757107ea")]
    public void Verify_MissingForgedOrMalformed_Invalid(string? header) =>
        Assert.False(new WebhookSignature(["It's a Secret to Everybody"]).Verify(header, Body));

    [Fact]
    public void Verify_BodyChanged_Invalid() =>
        Assert.False(new WebhookSignature(["s"]).Verify(WebhookSignature.Sign("s", Body), Encoding.UTF8.GetBytes("Hello, World?")));

    [Fact]
    public void ReadSecrets_OneALineBlankLinesIgnored() =>
        Assert.Equal(["old", "new"], WebhookSignature.ReadSecrets("old\r\n\n  new  \n"));

    [Fact]
    public void New_NoSecret_Refused() =>
        Assert.Throws<ArgumentException>(() => new WebhookSignature(["", ""]));
}
