using System.Reflection;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Mothership.Testing.Kubernetes.Schemas;

/// <summary>
/// Checks Kubernetes objects against Kubernetes' published OpenAPI schemas (types, required
/// fields, enums, formats such as quantities and base64), as the API server checks what it is
/// sent. The fake API server refuses what fails with 422; a test that builds objects without a
/// server calls <see cref="AssertValid{T}"/>. Kinds: Pod, PersistentVolumeClaim, Secret, ConfigMap, Service,
/// ServiceAccount and Event (core/v1), Deployment (apps/v1).
/// </summary>
/// <remarks>
/// The schemas cover an object's shape only. The API server's hand-written validation (names that
/// must be DNS labels, unique container names, mounts of declared volumes, immutable fields) is
/// not in them; the fake API server keeps the few such rules it needs (<see cref="FakeKubernetesApi"/>).
/// </remarks>
public static class KubernetesSchemas
{
    /// <summary>The fields of <paramref name="obj"/>, a kind's JSON as sent on the wire, that the kind's schema refuses; empty when none.</summary>
    /// <param name="kind">The object's kind (<c>Pod</c>); an absent <c>kind</c> or <c>apiVersion</c> in the JSON is taken from it, as the API server takes it from the request's path.</param>
    /// <param name="obj">The object as JSON.</param>
    public static IReadOnlyList<FieldViolation> Validate(string kind, JsonObject obj) =>
        KubernetesSchemaValidator.Shared.Validate(kind, obj);

    /// <summary>The fields of a client model that its kind's schema refuses, checked as the client would send it.</summary>
    public static IReadOnlyList<FieldViolation> Validate<T>(T obj)
        where T : IKubernetesObject =>
        Validate(KindOf(typeof(T)), JsonNode.Parse(KubernetesJson.Serialize(obj))!.AsObject());

    /// <summary>Throws <see cref="KubernetesSchemaException"/>, with the message a real API server would answer, when the schema refuses <paramref name="obj"/>.</summary>
    public static void AssertValid<T>(T obj)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var violations = Validate(obj);
        if (violations.Count > 0)
        {
            throw new KubernetesSchemaException(InvalidMessage(KindOf(typeof(T)), obj.Metadata?.Name ?? obj.Metadata?.GenerateName ?? "", violations), violations);
        }
    }

    /// <summary>
    /// The API server's message for an invalid object: <c>Pod "p" is invalid: spec.containers[0].name: Required value</c>,
    /// several field errors in brackets separated by commas.
    /// </summary>
    public static string InvalidMessage(string kind, string name, IReadOnlyList<FieldViolation> violations) => violations.Count == 1
        ? $"{kind} \"{name}\" is invalid: {violations[0]}"
        : $"{kind} \"{name}\" is invalid: [{string.Join(", ", violations)}]";

    private static string KindOf(Type model) =>
        model.GetCustomAttribute<KubernetesEntityAttribute>()?.Kind
        ?? throw new ArgumentException($"{model.Name} is not a Kubernetes object model (no KubernetesEntity attribute)", nameof(model));
}
