using System.Text;

namespace Mothership.Ci.Triggers;

/// <summary>
/// The labels and annotations a CI run carries: Prow's (so <c>-l prow.k8s.io/refs.pull=12</c>
/// finds a pull request's runs) and Mothership's, which the reporter reads back.
/// </summary>
public static class JobLabels
{
    public const string Job = "prow.k8s.io/job";
    public const string Type = "prow.k8s.io/type";
    public const string Org = "prow.k8s.io/refs.org";
    public const string Repo = "prow.k8s.io/refs.repo";
    public const string Pull = "prow.k8s.io/refs.pull";
    public const string BaseRef = "prow.k8s.io/refs.base_ref";

    /// <summary>The webhook delivery that started the run (absent for periodics).</summary>
    public const string Delivery = "mothership.io/delivery";

    /// <summary>The commit whose status the run reports: a pull request's head, a push's after.</summary>
    public const string Sha = "mothership.io/sha";

    /// <summary>The job's <c>max_concurrency</c> on a run created held until a slot frees (<see cref="JobConcurrency"/>).</summary>
    public const string MaxConcurrency = "mothership.io/max-concurrency";

    /// <summary>The base commit the run tests (its refs' base sha): the merge pool merges only on results for the branch's current head.</summary>
    public const string BaseSha = "mothership.io/base-sha";

    /// <summary>Annotation: the GitHub status context; absent when the job does not report.</summary>
    public const string Context = "mothership.io/context";

    /// <summary>Annotation: the command that runs the job again (<c>/test NAME</c>).</summary>
    public const string RerunCommand = "mothership.io/rerun-command";

    /// <summary>Annotation: <c>true</c> when the job's status is not required to merge.</summary>
    public const string Optional = "mothership.io/optional";

    /// <summary>Annotation: the job's full name when its label had to be shortened.</summary>
    public const string JobName = "mothership.io/job-name";

    /// <summary>
    /// <paramref name="value"/> as a valid label value, as Prow's <c>kube.CreateLabels</c> keeps
    /// them valid: characters other than letters, digits, '-', '_' and '.' become '-', at most 63,
    /// starting and ending with a letter or digit.
    /// </summary>
    public static string Value(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
        }

        var result = text.ToString();
        if (result.Length > 63)
        {
            result = result[..63];
        }

        return result.Trim('-', '_', '.');
    }
}
