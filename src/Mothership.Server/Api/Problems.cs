using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Mothership.Model.Diagnostics;

namespace Mothership.Server.Api;

/// <summary>RFC 7807 problem documents; diagnostics carry file, line, column and message.</summary>
internal static class Problems
{
    public static IResult Of(int status, string title, string detail, IEnumerable<Diagnostic>? diagnostics = null)
    {
        var body = new JsonObject { ["type"] = "about:blank", ["title"] = title, ["status"] = status, ["detail"] = detail };
        if (diagnostics is not null)
        {
            body["diagnostics"] = new JsonArray([.. diagnostics.Select(d => (JsonNode)new JsonObject
            {
                ["file"] = d.Location.File,
                ["line"] = d.Location.Line,
                ["column"] = d.Location.Column,
                ["severity"] = d.Severity.ToString().ToLowerInvariant(),
                ["message"] = d.Message,
                ["text"] = d.ToString(),
            })]);
        }

        return Results.Text(body.ToJsonString(), "application/problem+json", statusCode: status);
    }

    public static IResult Invalid(IReadOnlyList<Diagnostic> diagnostics) =>
        Of(StatusCodes.Status422UnprocessableEntity, "Invalid resource", string.Join("\n", diagnostics), diagnostics);

    public static IResult NotFound(string what) => Of(StatusCodes.Status404NotFound, "Not found", $"{what} not found");

    public static IResult BadRequest(string detail) => Of(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static IResult Conflict(string detail) => Of(StatusCodes.Status409Conflict, "Conflict", detail);
}
