namespace Mothership.Testing.Kubernetes.Schemas;

/// <summary>
/// A field that an object's schema refuses, worded as the API server words a field error:
/// <c>spec.containers[0].name: Required value</c>.
/// </summary>
/// <param name="Field">The field's path as the API server writes it, <c>spec.containers[0].image</c>; empty for the object itself.</param>
/// <param name="Reason">
/// The cause's reason in a 422's <c>details.causes</c>: <c>FieldValueRequired</c>,
/// <c>FieldValueNotSupported</c> (a value outside an enum), <c>FieldValueTypeInvalid</c> or <c>FieldValueInvalid</c>.
/// </param>
/// <param name="Message">What is wrong with the value, <c>Unsupported value: "Sometimes": supported values: "Always", …</c>.</param>
public sealed record FieldViolation(string Field, string Reason, string Message)
{
    public override string ToString() => Field.Length == 0 ? Message : $"{Field}: {Message}";
}
