namespace Mothership.Ci.Reporting;

/// <summary>Where reports link to, and how a job is asked for again.</summary>
public sealed record JobReporterOptions
{
    /// <summary>The dashboard's address as users reach it (<c>Mothership__PublicUrl</c>); null leaves statuses without a link.</summary>
    public Uri? PublicUrl { get; init; }

    /// <summary>A job's rerun command by name (its <c>rerun_command</c>); default <c>/test NAME</c>.</summary>
    public Func<string, string> RerunCommand { get; init; } = Jobs.TriggerCommands.DefaultRerunCommandFor;

    /// <summary>The dashboard page of a run: <c>PUBLICURL/ui/pipelineruns/NAME</c> (or <c>taskruns</c>); null without <see cref="PublicUrl"/>.</summary>
    public string? RunUrl(string kind, string name) =>
        PublicUrl is null ? null : $"{PublicUrl.ToString().TrimEnd('/')}/ui/{kind.ToLowerInvariant()}s/{Uri.EscapeDataString(name)}";
}
