using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;

namespace Mothership.Model.Tests.Validation;

/// <summary>Loads YAML the way the CLI does and returns what the validator says about it.</summary>
internal static class ValidationHarness
{
    public static IReadOnlyList<Diagnostic> Errors(string yaml) => Diagnostics(yaml, Severity.Error);

    /// <summary>Asserts no error and exactly one warning, at <paramref name="line"/>:<paramref name="column"/>, whose message contains <paramref name="message"/>.</summary>
    public static Diagnostic SingleWarning(string yaml, int line, int column, string message)
    {
        NoErrors(yaml);
        var warnings = Diagnostics(yaml, Severity.Warning);
        Assert.True(warnings.Count == 1, $"expected one warning, got {warnings.Count}:{Environment.NewLine}{string.Join(Environment.NewLine, warnings)}");
        Assert.Equal((line, column), (warnings[0].Location.Line, warnings[0].Location.Column));
        Assert.Contains(message, warnings[0].Message, StringComparison.Ordinal);
        return warnings[0];
    }

    private static IReadOnlyList<Diagnostic> Diagnostics(string yaml, Severity severity)
    {
        var bag = new DiagnosticBag();
        var resources = new ResourceSet { All = [.. ResourceLoader.Load("test.yaml", yaml, bag)] };
        Assert.True(!bag.HasErrors, "the loader rejected the test input: " + string.Join(Environment.NewLine, bag.Items));

        ResourceValidator.Validate(resources, bag);

        return [.. bag.Sorted().Where(d => d.Severity == severity)];
    }

    /// <summary>Asserts exactly one error, at <paramref name="line"/>:<paramref name="column"/>, whose message contains <paramref name="message"/>.</summary>
    public static Diagnostic SingleError(string yaml, int line, int column, string message)
    {
        var errors = Errors(yaml);
        Assert.True(errors.Count == 1, $"expected one error, got {errors.Count}:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        var error = errors[0];
        Assert.Equal((line, column), (error.Location.Line, error.Location.Column));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal("test.yaml", error.Location.File);
        return error;
    }

    public static void NoErrors(string yaml)
    {
        var errors = Errors(yaml);
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }
}
