using System.Collections;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Mothership.Model.Validation;

namespace Mothership.Server.Hosting;

/// <summary>
/// Reads the <c>Mothership</c> section of the configuration as the user wrote it, before the
/// binder does: a key that names no setting of <see cref="ServerOptions"/> is reported as a
/// warning (the binder would ignore a misspelt one silently; a warning rather than a refusal, so
/// that a newer server's setting left in a shared environment does not stop an older one), every
/// value must convert to the setting's type (otherwise the binder throws an
/// InvalidOperationException at start), and durations are read as Go durations (<c>720h</c>, as
/// on the command line) or as .NET's <c>d.hh:mm:ss</c>.
/// </summary>
/// <remarks>
/// The binder has no hook that reports a bad value with its key or refuses unknown keys, hence
/// this walk over the options types; the binder still does the binding, from the values this
/// returns normalised.
/// </remarks>
public static class SettingsReader
{
    /// <summary>
    /// The problems with <paramref name="configuration"/>'s <see cref="ServerOptions.Section"/>, one
    /// line each naming the key, the bad value and what the setting takes (none when it is fine),
    /// and the values to bind where they had to be rewritten for the binder (Go durations as
    /// <c>d.hh:mm:ss</c>). Unknown keys are not among the problems: see the other overload.
    /// </summary>
    public static IReadOnlyList<string> Check(IConfiguration configuration, out Dictionary<string, string?> normalized) =>
        Check(configuration, out normalized, out _);

    /// <summary>
    /// As the other overload, and <paramref name="unknown"/>: one line for each key that names no
    /// setting (ignored by the binder), with the settings known at that level.
    /// </summary>
    public static IReadOnlyList<string> Check(IConfiguration configuration, out Dictionary<string, string?> normalized, out IReadOnlyList<string> unknown)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new Problems();
        normalized = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var child in configuration.GetSection(ServerOptions.Section).GetChildren())
        {
            Walk(child, typeof(ServerOptions), problems, normalized);
        }

        unknown = problems.Unknown;
        return problems.Errors;
    }

    /// <summary>What the walk finds: values that cannot be bound, and keys that name nothing.</summary>
    private sealed class Problems
    {
        public List<string> Errors { get; } = [];

        public List<string> Unknown { get; } = [];

        public void Add(string error) => Errors.Add(error);
    }

    private static void Walk(IConfigurationSection section, Type owner, Problems errors, Dictionary<string, string?> normalized)
    {
        var property = owner.GetProperty(section.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null || !property.CanWrite)
        {
            var known = owner.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name).Order(StringComparer.Ordinal);
            errors.Unknown.Add($"{section.Path}: unknown setting, ignored (known here: {string.Join(", ", known)})");
            return;
        }

        Value(section, property.PropertyType, errors, normalized);
    }

    private static void Value(IConfigurationSection section, Type type, Problems errors, Dictionary<string, string?> normalized)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            // Free keys (site or pipeline names), each holding a settings object.
            foreach (var entry in section.GetChildren())
            {
                Value(entry, target.GetGenericArguments()[1], errors, normalized);
            }

            return;
        }

        if (target.IsArray || (target != typeof(string) && typeof(IEnumerable).IsAssignableFrom(target)))
        {
            var element = target.IsArray ? target.GetElementType()! : target.GetGenericArguments()[0];
            foreach (var item in section.GetChildren())
            {
                Value(item, element, errors, normalized);
            }

            if (section.Value is { } single && section.GetChildren().Any() is false && element == typeof(string))
            {
                normalized[section.Path + ":0"] = single;
            }

            return;
        }

        if (target.IsClass && target != typeof(string))
        {
            foreach (var child in section.GetChildren())
            {
                Walk(child, target, errors, normalized);
            }

            if (section.Value is { Length: > 0 } stray)
            {
                errors.Add($"{section.Path}: '{stray}' where a group of settings is expected");
            }

            return;
        }

        if (section.Value is not { } text)
        {
            errors.Add($"{section.Path}: a group of settings where a single value is expected");
            return;
        }

        if (text.Length == 0 && type != target)
        {
            return; // an empty nullable: unset
        }

        if (Convert(text, target) is { } problem)
        {
            errors.Add($"{section.Path}: '{text}' {problem}");
        }
        else if (target == typeof(TimeSpan) && GoDuration.TryParse(text, out var duration))
        {
            normalized[section.Path] = duration.ToString("c", CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Why <paramref name="text"/> is not a <paramref name="type"/>; null when it is.</summary>
    private static string? Convert(string text, Type type)
    {
        var ok = type switch
        {
            _ when type == typeof(string) => true,
            _ when type == typeof(int) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            _ when type == typeof(long) => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            _ when type == typeof(bool) => bool.TryParse(text, out _),
            _ when type == typeof(TimeSpan) => GoDuration.TryParse(text, out _) || TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out _),
            _ when type.IsEnum => Enum.TryParse(type, text, ignoreCase: true, out _),
            _ => true,
        };
        return ok ? null : type switch
        {
            _ when type == typeof(int) => $"is not a whole number (at most {int.MaxValue})",
            _ when type == typeof(long) => $"is not a whole number (at most {long.MaxValue})",
            _ when type == typeof(bool) => "is neither true nor false",
            _ when type == typeof(TimeSpan) => "is not a duration (Go's 90s, 15m, 720h, or d.hh:mm:ss)",
            _ => $"is not one of {string.Join(", ", Enum.GetNames(type))}",
        };
    }
}
