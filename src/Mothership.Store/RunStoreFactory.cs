using Mothership.Store.Sql;
using Npgsql;

namespace Mothership.Store;

/// <summary>
/// Opens the <see cref="IRunStore"/> a <c>--database</c> string names:
/// <c>sqlite:PATH</c>, <c>postgres://user[:password]@host[:port]/db[?key=value…]</c> (also
/// <c>postgresql://</c>) or an Npgsql connection string starting with <c>Host=</c>.
/// Opening connects to nothing; call <see cref="IRunStore.MigrateAsync"/> first.
/// </summary>
public static class RunStoreFactory
{
    public static IRunStore Open(string database, TimeProvider time) => Open(database, time, new RunStoreOptions());

    public static IRunStore Open(string database, TimeProvider time, RunStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        SqlDialect dialect;
        if (database.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            dialect = new SqliteDialect(SqlitePath(database["sqlite:".Length..]), options);
        }
        else if (database.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || database.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            dialect = new PostgresDialect(FromUrl(database), options);
        }
        else if (database.StartsWith("Host=", StringComparison.OrdinalIgnoreCase))
        {
            NpgsqlConnectionStringBuilder builder;
            try
            {
                builder = new NpgsqlConnectionStringBuilder(database);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
            {
                throw new ArgumentException($"invalid PostgreSQL connection string: {e.Message}", nameof(database), e);
            }

            dialect = new PostgresDialect(builder, options);
        }
        else
        {
            throw new ArgumentException(
                $"unknown database '{Redact(database)}': use sqlite:PATH, postgres://user[:password]@host[:port]/database or an Npgsql connection string starting with Host=",
                nameof(database));
        }

        return new SqlRunStore(dialect, time);
    }

    private static string SqlitePath(string path)
    {
        if (path.StartsWith("//", StringComparison.Ordinal))
        {
            path = path[2..]; // sqlite:///abs/path and sqlite://rel/path, as URLs write them
        }

        if (path.Length == 0 || path == ":memory:" || path.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"sqlite: needs a file path (e.g. sqlite:/var/lib/mothership/runs.db), not '{path}': an in-memory database would not outlive a connection", "database");
        }

        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new ArgumentException($"sqlite:{path} is a directory; name a file in it (e.g. sqlite:{Path.Combine(path, "runs.db")})", "database");
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreUnavailableException($"cannot create the directory of sqlite:{full}: {e.Message}", e);
        }

        return full;
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            throw new ArgumentException($"invalid PostgreSQL URL '{Redact(url)}': expected postgres://user[:password]@host[:port]/database", "database");
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0 || database.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"PostgreSQL URL '{Redact(url)}' names no database: expected postgres://user[:password]@host[:port]/database", "database");
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Trim('[', ']'),
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database = database,
        };
        var userInfo = uri.UserInfo;
        if (userInfo.Length > 0)
        {
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            try
            {
                builder[key switch { "sslmode" => "SSL Mode", "application_name" => "Application Name", "connect_timeout" => "Timeout", _ => key }] = value;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException or InvalidCastException)
            {
                throw new ArgumentException($"PostgreSQL URL parameter '{key}={value}' is not understood: {e.Message}", "database", e);
            }
        }

        return builder;
    }

    /// <summary>The string without a password, for error messages.</summary>
    private static string Redact(string database)
    {
        var at = database.IndexOf('@', StringComparison.Ordinal);
        var scheme = database.IndexOf("://", StringComparison.Ordinal);
        if (at > 0 && scheme > 0 && database.IndexOf(':', scheme + 3) is var colon and > 0 && colon < at)
        {
            return database[..colon] + ":***" + database[at..];
        }

        return database.Contains("password", StringComparison.OrdinalIgnoreCase) ? "(a connection string with a password)" : database;
    }
}
