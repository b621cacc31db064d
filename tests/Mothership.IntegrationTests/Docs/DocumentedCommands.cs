using System.Text.RegularExpressions;

namespace Mothership.IntegrationTests.Docs;

/// <summary>
/// One command written in the documentation: a line of a fenced <c>sh</c>, <c>bash</c> or
/// <c>console</c> block (indented lines starting with <c>[</c> or <c>-</c> continue it, as the
/// synopses wrap), or an inline <c>`mship …`</c> span in the prose; with the comment written
/// beside it and the expectation that comment states (<c># → exit 2</c>,
/// <c># → prints "text"</c>), if any.
/// </summary>
public sealed record DocumentedCommand(string File, int Line, string Text, string? Comment, bool Fenced)
{
    /// <summary>The exit code the comment announces (<c># → exit N</c>), else 0.</summary>
    public int ExpectedExit => Comment is { } c && Regex.Match(c, @"→\s*exit\s+(\d+)") is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>What the comment says the output holds (<c># → prints "text"</c>), if anything.</summary>
    public string? ExpectedOutput => Comment is { } c && Regex.Match(c, "→[^\"]*prints\\s+\"([^\"]*)\"") is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>A synopsis (<c>[--flag]</c>, <c>FILE...</c>, <c>a|b</c>) shows a command's shape; it is checked for its flags, not run.</summary>
    public bool IsSynopsis => Regex.IsMatch(Text, @"\[|\.\.\.|(?<![|])\|(?![|])|\b[A-Z]{2,}\b");

    /// <summary>
    /// A synopsis as its shortest call: optional parts (<c>[…]</c>) dropped, the first of
    /// <c>a|b|c</c> kept, repetition (<c>FILE...</c>) once. Placeholders (<c>FILE</c>) stay.
    /// </summary>
    public string Shortest()
    {
        var text = Text;
        string previous;
        do
        {
            previous = text;
            text = Regex.Replace(text, @"\s*\[[^\[\]]*\]", "");
        }
        while (text != previous);

        text = Regex.Replace(text, @"(?<=\S)\.\.\.", "");
        text = Regex.Replace(text, @"(?<![|\S])([^\s|]+)(?:\|[^\s|]+)+", "$1");
        return Regex.Replace(text, @"\s+", " ").Trim();
    }

    /// <summary>The mship verb (<c>run</c>, <c>get</c> …), or null when the command is not mship's or names none.</summary>
    public string? Verb => Words is ["mship" or "./mship", var verb, ..] && !verb.StartsWith('-') ? verb : null;

    /// <summary>The verb with the word after it (<c>ci test</c>), when that word may name a subcommand; null otherwise.</summary>
    public string? Subcommand => Words is ["mship" or "./mship", var verb, var sub, ..] && !verb.StartsWith('-') && Regex.IsMatch(sub, "^[a-z][a-z-]*$") ? verb + " " + sub : null;

    /// <summary>Whether this is a call of mship (<c>mship …</c> or <c>./mship …</c>).</summary>
    public bool IsMship => Words is ["mship" or "./mship", ..];

    /// <summary>The options it names (<c>--file</c>, <c>-f</c>), without values or brackets.</summary>
    public IEnumerable<string> Flags => Words
        .SelectMany(w => w.Split('|'))
        .Select(w => w.Trim('[', ']', '(', ')', ',', '`'))
        .Where(w => Regex.IsMatch(w, "^--?[A-Za-z?]"))
        .Select(w => w.Split('=', 2)[0]);

    private string[] Words => Text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Reads the commands out of Markdown (<see cref="DocumentedCommand"/>), and the options out of <c>--help</c> text.</summary>
public static partial class DocumentedCommands
{
    /// <summary>The documentation a user follows: README.md, deploy/README.md and docs/*.md, relative to <paramref name="root"/>.</summary>
    public static IEnumerable<string> Files(string root) =>
        new[] { "README.md", Path.Combine("deploy", "README.md") }
            .Concat(Directory.Exists(Path.Combine(root, "docs")) ? Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md").Select(f => Path.GetRelativePath(root, f)) : [])
            .Where(f => File.Exists(Path.Combine(root, f)));

    /// <summary>Every command of <paramref name="markdown"/>: fenced ones, then inline <c>`mship …`</c> spans.</summary>
    public static List<DocumentedCommand> Parse(string file, string markdown)
    {
        var commands = new List<DocumentedCommand>();
        var lines = markdown.Split('\n');
        var fence = false;
        var shell = false;
        var continues = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                shell = !fence && Regex.IsMatch(line.Trim(), "^```(sh|bash|console|shell)$");
                fence = !fence;
                continues = false;
                continue;
            }

            if (fence && shell)
            {
                var (text, comment) = SplitComment(line);
                text = text.StartsWith("$ ", StringComparison.Ordinal) ? text[2..] : text;
                if (text.Length == 0)
                {
                    continue;
                }

                if (continues)
                {
                    // The previous line ended in a backslash: the shell reads this one as its rest.
                    var previous = commands[^1];
                    commands[^1] = previous with { Text = previous.Text[..^1].TrimEnd() + " " + text, Comment = previous.Comment ?? comment };
                    continues = text.EndsWith('\\');
                    continue;
                }

                continues = text.EndsWith('\\');
                if (char.IsWhiteSpace(line[0]) && text[0] is '[' or '-' && commands.Count > 0 && commands[^1].Fenced && commands[^1].File == file)
                {
                    var previous = commands[^1];
                    commands[^1] = previous with { Text = previous.Text + " " + text, Comment = previous.Comment ?? comment };
                    continue;
                }

                commands.Add(new DocumentedCommand(file, i + 1, text, comment, Fenced: true));
            }
            else if (!fence)
            {
                foreach (Match m in InlineCommand().Matches(line))
                {
                    commands.Add(new DocumentedCommand(file, i + 1, m.Groups[1].Value.Trim(), null, Fenced: false));
                }
            }
        }

        return commands;
    }

    /// <summary>The options a <c>--help</c> text lists (each alias: <c>-f</c> and <c>--file</c>).</summary>
    public static HashSet<string> Options(string help) => [.. OptionGroups(help).SelectMany(g => g)];

    /// <summary>The options a <c>--help</c> text lists, each with its aliases (<c>[-f, --file]</c>).</summary>
    public static List<string[]> OptionGroups(string help)
    {
        var options = new List<string[]>();
        var inOptions = false;
        foreach (var line in help.Split('\n'))
        {
            if (line.StartsWith("Options:", StringComparison.Ordinal))
            {
                inOptions = true;
                continue;
            }

            if (inOptions && line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                inOptions = false;
            }

            if (inOptions && OptionNames().Match(line) is { Success: true } m)
            {
                options.Add([.. m.Groups[1].Value.Split(", ").Select(n => n.Trim())]);
            }
        }

        return options;
    }

    /// <summary>
    /// What is wrong with the flags of <paramref name="commands"/> against each verb's options
    /// (<paramref name="optionsOf"/> gives null for a verb mship does not have): one line each, as
    /// <c>FILE:LINE: …</c>.
    /// </summary>
    public static List<string> UnknownFlags(IEnumerable<DocumentedCommand> commands, Func<string?, HashSet<string>?> optionsOf)
    {
        var problems = new List<string>();
        foreach (var c in commands.Where(c => c.IsMship))
        {
            // A subcommand's options are its own (mship ci test); any other second word is an argument.
            var verb = c.Subcommand is { } sub && optionsOf(sub) is not null ? sub : c.Verb;
            if (optionsOf(verb) is not { } options)
            {
                problems.Add($"{c.File}:{c.Line}: `{c.Text}`: mship has no command '{verb}'");
                continue;
            }

            foreach (var flag in c.Flags.Where(f => !options.Contains(f)).Distinct())
            {
                problems.Add($"{c.File}:{c.Line}: `{c.Text}`: {flag} is not an option of mship{(verb is null ? "" : " " + verb)}");
            }
        }

        return problems;
    }

    /// <summary>A shell line's command and its comment (after the first <c> #</c> outside quotes).</summary>
    private static (string Text, string? Comment) SplitComment(string line)
    {
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quote != '\0')
            {
                quote = ch == quote ? '\0' : quote;
            }
            else if (ch is '\'' or '"')
            {
                quote = ch;
            }
            else if (ch == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return (line[..i].Trim(), line[(i + 1)..].Trim());
            }
        }

        return (line.Trim(), null);
    }

    [GeneratedRegex(@"`((?:\./)?mship(?: [^`]*)?)`")]
    private static partial Regex InlineCommand();

    [GeneratedRegex(@"^\s{2}((?:-{1,2}[A-Za-z0-9?][\w-]*)(?:, -{1,2}[A-Za-z0-9?][\w-]*)*)")]
    private static partial Regex OptionNames();
}
