namespace Mothership.Ci.Jobs;

/// <summary>The job configuration in force; a reload replaces it whole, so a reader sees one version.</summary>
public interface IJobConfigSource
{
    /// <summary>The jobs now; empty until a configuration is read.</summary>
    ProwConfig Current { get; }

    /// <summary>The <c>plugins.yaml</c> in force; <see cref="Plugins.PluginsConfig.None"/> without one.</summary>
    Plugins.PluginsConfig Plugins { get; }

    /// <summary>The trigger policy of <paramref name="orgRepo"/> (<c>org/repo</c>).</summary>
    Triggers.TriggerPolicy PolicyFor(string orgRepo) => Plugins.Triggers.For(orgRepo);
}
