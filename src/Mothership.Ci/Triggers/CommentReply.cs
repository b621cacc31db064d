namespace Mothership.Ci.Triggers;

/// <summary>The bot's answer to a comment, as Prow's plugins format it: addressed, then the comment quoted.</summary>
public static class CommentReply
{
    /// <summary><c>@login: message</c>, then the comment at <paramref name="commentUrl"/> quoted in a folded block.</summary>
    public static string Format(string login, string message, string body, string? commentUrl)
    {
        var quoted = string.Join("\n", body.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => ">" + l));
        var source = commentUrl is null ? "this" : $"[this]({commentUrl})";
        return $"@{login}: {message.TrimEnd()}\n\n<details>\n\nIn response to {source}:\n\n{quoted}\n</details>\n";
    }
}
