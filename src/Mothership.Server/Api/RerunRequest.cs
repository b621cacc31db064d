using System.Text.Json;
using System.Text.Json.Nodes;
using Mothership.Model.Validation;

namespace Mothership.Server.Api;

/// <summary>The body of <c>POST …/NAME/rerun</c>: empty, <c>{}</c>, or <c>{"fromFailed": true}</c>.</summary>
internal static class RerunRequest
{
    private const string Usage = "send {\"fromFailed\": true} to rerun from the failure, or no body to rerun whole";

    /// <summary>Reads the body; any other shape (not JSON, unknown or repeated fields, a non-boolean) is an error naming the field, never an exception.</summary>
    public static bool TryParse(string body, out bool fromFailed, out string error)
    {
        fromFailed = false;
        error = "";
        if (string.IsNullOrWhiteSpace(body))
        {
            return true;
        }

        try
        {
            if (JsonNode.Parse(body) is not JsonObject o)
            {
                error = $"body: not a JSON object; {Usage}";
                return false;
            }

            foreach (var (key, value) in o)
            {
                if (key != "fromFailed")
                {
                    error = $"body: {KubernetesNames.Quote(key)} is not a field of a rerun request; {Usage}";
                    return false;
                }

                if (value is not JsonValue v || v.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    error = $"fromFailed: {KubernetesNames.Quote(value?.ToJsonString() ?? "null")} is not true or false";
                    return false;
                }

                fromFailed = v.GetValue<bool>();
            }

            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            // ArgumentException: a field given twice, found when the object is first read.
            error = $"body: not JSON ({e.Message}); {Usage}";
            return false;
        }
    }
}
