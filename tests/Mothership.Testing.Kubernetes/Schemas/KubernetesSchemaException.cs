namespace Mothership.Testing.Kubernetes.Schemas;

/// <summary>An object that Kubernetes' OpenAPI schema for its kind refuses; the message is the API server's 422 message.</summary>
public sealed class KubernetesSchemaException(string message, IReadOnlyList<FieldViolation> violations) : Exception(message)
{
    /// <summary>Every field refused, in the order of the object.</summary>
    public IReadOnlyList<FieldViolation> Violations => violations;
}
