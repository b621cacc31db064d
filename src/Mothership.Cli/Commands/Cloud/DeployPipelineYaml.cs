using System.CommandLine;
using Mothership.Cloud.Deploy;
using Mothership.Cloud.Sources;
using Mothership.Model.Diagnostics;
using Mothership.Model.Loading;
using Mothership.Model.Tekton;
using Mothership.Model.Validation;

namespace Mothership.Cli.Commands.Cloud;

/// <summary>What <c>deploy</c> and <c>export</c> share: the steps' image flag, and the generated pipeline's YAML, made and checked.</summary>
internal static class DeployPipelineYaml
{
   /// <summary>The image the deploy steps run in when they run as pods (deploy on Kubernetes, export).</summary>
    public static Option<string> ImageOption(string when) =>
        new("--image") { Description = $"{when}image with bash, helm and kubectl for the steps", DefaultValueFactory = _ => DeployPipelineOptions.DefaultImage };

    /// <summary>The deploy pipeline's YAML, or null after saying why the site's values cannot go into it.</summary>
    public static string? Generate(Func<string> build)
    {
        try
        {
            return build();
        }
        catch (SiteSourceException e)
        {
            Console.Error.WriteLine($"mship: {e.Message}");
            return null;
        }
    }

    /// <summary>Loads and validates generated YAML: a problem here is a bug in the generator, never the user's.</summary>
    public static ResourceSet Load(string yaml, string name)
    {
        var bag = new DiagnosticBag();
        var resources = new ResourceSet { All = [.. ResourceLoader.Load(name, yaml, bag)] };
        ResourceValidator.Validate(resources, bag);
        return bag.HasErrors
            ? throw new InvalidOperationException($"the generated deploy pipeline is not valid Tekton: {string.Join("; ", bag.Sorted().Take(5))}")
            : resources;
    }
}
