using System.Text.Json.Nodes;
using CsCheck;
using Mothership.Server.Api;
using Mothership.Server.Security;

namespace Mothership.Server.Tests.Api;

/// <summary>
/// The endpoint code that reads what clients send, on generated garbage: it answers (a value or a
/// message), never throws, and what it puts in a header is safe there.
/// </summary>
public sealed class ApiInputPropertyTests
{
    /// <summary>Text biased to what parsers trip on: JSON punctuation, quotes, digits, control and non-ASCII characters.</summary>
    private static readonly Gen<string> Text = Gen.Frequency(
        (4, Gen.String[Gen.Char["{}[]:,\"\\ 0123456789-.eEtrufalsn\n\u001bü"], 0, 40]),
        (1, Gen.String));

    /// <summary>JSON values of any shape, with the retention policy's field names among the keys.</summary>
    private static readonly Gen<JsonNode?> Json = Gen.Recursive<JsonNode?>((depth, inner) =>
    {
        var leaf = Gen.Frequency<JsonNode?>(
            (2, Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i))),
            (1, Gen.Double.Select(d => (JsonNode?)JsonValue.Create(double.IsFinite(d) ? d : 0))),
            (2, Gen.OneOf("720h", "0s", "-1h", "", "x").Select(s => (JsonNode?)JsonValue.Create(s))),
            (1, Text.Select(s => (JsonNode?)JsonValue.Create(s))),
            (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
            (1, Gen.Const(() => (JsonNode?)null)));
        if (depth > 3)
        {
            return leaf;
        }

        var key = Gen.Frequency((4, Gen.OneOf("keepLast", "keepLastFailed", "maxAge", "failedMaxAge", "pipelines", "p")), (1, Text));
        var obj = Gen.Select(key, inner).Array[0, 4].Select(pairs =>
        {
            var o = new JsonObject();
            foreach (var (k, v) in pairs)
            {
                o[k] = v;
            }

            return (JsonNode?)o;
        });
        var array = inner.Array[0, 3].Select(items => (JsonNode?)new JsonArray([.. items]));
        return Gen.Frequency((3, leaf), (3, obj), (1, array));
    });

    private static readonly Gen<string> Bodies = Gen.Frequency(
        (4, Json.Select(n => n?.ToJsonString() ?? "null")),
        (1, Json.Select(n => (n?.ToJsonString() ?? "null").Replace("\"keepLast\":", "\"keepLast\":1,\"keepLast\":", StringComparison.Ordinal))),
        (1, Text));

    [Fact]
    public void RetentionJsonTryParse_AnyBody_AnswersWithoutThrowing() =>
        PropertyRun.Check(Bodies, body =>
        {
            var parsed = RetentionJson.TryParse(body, out var policy, out var error);
            Assert.Equal(parsed, policy is not null);
            Assert.True(parsed || error.StartsWith("retention policy: ", StringComparison.Ordinal), error);
        }, normalIterations: 3000, seed: 21);

    [Fact]
    public void HostAllowList_AnySettingAndHost_AnswersWithoutThrowing() =>
        PropertyRun.Check(Gen.Select(Text, Text), input =>
        {
            var (setting, host) = input;
            var list = HostAllowList.Parse(setting, out var errors);
            Assert.Equal(list is null, errors.Count > 0);
            _ = (list ?? HostAllowList.Default).Accepts(host);
            _ = BrowserRequestRules.IsSameOrigin(setting, host, host);
            _ = BrowserRequestRules.IsAcceptedContentType(setting);
        }, normalIterations: 3000, seed: 22);

    [Fact]
    public void Attachment_AnyFileName_HeaderHoldsOnlyVisibleAscii() =>
        PropertyRun.Check(Text, name =>
        {
            var header = LogEndpoints.Attachment(name);
            Assert.All(header, c => Assert.InRange(c, ' ', '~'));
            Assert.StartsWith("attachment; filename=", header, StringComparison.Ordinal);
        }, normalIterations: 3000, seed: 23);
}
