using Mothership.Server.Hosting;

namespace Mothership.Server.Tests.Hosting;

public sealed class ServerOptionsValidatorTests
{
    private static IEnumerable<string> Failures(ServerOptions options) =>
        new ServerOptionsValidator().Validate(null, options).Failures ?? [];

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.Empty(Failures(new ServerOptions()));

    [Fact]
    public void Validate_NonLoopbackWithoutToken_Fails()
    {
        Assert.Contains(Failures(new ServerOptions { Urls = "http://0.0.0.0:8080" }), f => f.StartsWith("Token:", StringComparison.Ordinal));
        Assert.Empty(Failures(new ServerOptions { Urls = "http://0.0.0.0:8080", Token = "s3cret", AllowedHosts = "mothership.example.com" }));
        Assert.Empty(Failures(new ServerOptions { Urls = "http://localhost:8080;http://[::1]:8081" }));
    }

    [Fact]
    public void Validate_PolicyFileWithAMistakeOrABadDefaultRole_FailsAtFileLineColumn()
    {
        var dir = Directory.CreateTempSubdirectory("mship-policy-");
        try
        {
            var file = Path.Combine(dir.FullName, "policy.csv");
            File.WriteAllText(file, "# ok\np, role:x, runs, deploy, *, allow\ng, alice, role:x\n");

            Assert.Equal([$"Auth:PolicyFile: {file}:2:18: error: action: 'deploy' is not one of get, create, cancel, rerun, delete, approve or *"],
                Failures(new ServerOptions { Auth = new AuthOptions { PolicyFile = file } }));
            Assert.Equal(["Auth:DefaultRole: 'readonly' is not role:NAME (role:readonly, role:developer)"],
                Failures(new ServerOptions { Auth = new AuthOptions { DefaultRole = "readonly" } }));
            File.WriteAllText(file, "p, role:x, runs, get, *, allow\n");
            Assert.Empty(Failures(new ServerOptions { Auth = new AuthOptions { PolicyFile = file, DefaultRole = "role:readonly" } }));
            Assert.Contains(Failures(new ServerOptions { Auth = new AuthOptions { PolicyFile = Path.Combine(dir.FullName, "missing.csv") } }),
                f => f.EndsWith("missing.csv: error: policy file not found", StringComparison.Ordinal));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Validate_OidcIssuer_HttpsOrLoopbackHttpWithAnAudience()
    {
        static ServerOptions With(string? issuer, string? audience) => new() { Auth = new AuthOptions { Oidc = new OidcOptions { Issuer = issuer, Audience = audience } } };

        Assert.Empty(Failures(With("https://login.example.com/realms/ops", "mothership")));
        Assert.Empty(Failures(With("http://127.0.0.1:5556", "mothership")));
        Assert.Empty(Failures(With("http://localhost:5556/dex", "mothership")));
        Assert.Equal(["Auth:Oidc:Issuer: 'http://login.example.com' is not an https URL (plain http only on a loopback address, for tests)"],
            Failures(With("http://login.example.com", "mothership")));
        Assert.Equal(["Auth:Oidc:Audience: required with Auth:Oidc:Issuer: the audience (client id) the issuer puts in tokens for this server"],
            Failures(With("https://login.example.com", null)));
        Assert.Equal(["Auth:Oidc:Audience: set Auth:Oidc:Issuer too (the issuer whose tokens carry this audience)"], Failures(With(null, "mothership")));
    }

    [Fact]
    public void Validate_NonLoopbackWithoutAllowedHosts_FailsNamingIt()
    {
        var failures = Failures(new ServerOptions { Urls = "http://0.0.0.0:8080", Token = "s3cret" }).ToList();

        Assert.Contains(failures, f => f.StartsWith("AllowedHosts: required when the server listens on a non-loopback address", StringComparison.Ordinal));
        Assert.Empty(Failures(new ServerOptions { Urls = "http://0.0.0.0:8080", Token = "s3cret", AllowedHosts = "*" }));
    }

    [Fact]
    public void Validate_CloudSettings_NeedARepositoryAReadableTokenAndAChartsFolder()
    {
        var missing = Path.Combine(Path.GetTempPath(), "mship-no-such-" + Guid.NewGuid().ToString("N"));

        Assert.Equal(["Cloud:Repository: Cloud:TokenFile and Cloud:Charts belong to a site repository: set Cloud:Repository (a git URL or a path) too"],
            Failures(new ServerOptions { Cloud = new CloudOptions { Charts = "/tmp" } }));
        Assert.Equal([$"Cloud:TokenFile: no token in '{missing}' (the file is missing, unreadable or empty)", $"Cloud:Charts: no folder at '{missing}'"],
            Failures(new ServerOptions { Cloud = new CloudOptions { Repository = "https://git.example.com/sites.git", TokenFile = missing, Charts = missing } }));
        Assert.Equal([$"Cloud:Repository: '{missing}' is neither a git URL (https://, ssh://, file://, git@HOST:PATH) nor a folder"],
            Failures(new ServerOptions { Cloud = new CloudOptions { Repository = missing } }));
        Assert.Empty(Failures(new ServerOptions { Cloud = new CloudOptions { Repository = "git@github.com:org/sites.git" } }));
    }

    [Fact]
    public void Validate_DriftInterval_ZeroIsOffNegativeOrBeyondTheLongestWaitRefused()
    {
        Assert.Empty(Failures(new ServerOptions { Cloud = new CloudOptions { DriftInterval = TimeSpan.Zero } }));
        Assert.Equal(["Cloud:DriftInterval: -1m0s is not a duration from 0 (off) to 1000h (default 10m)"],
            Failures(new ServerOptions { Cloud = new CloudOptions { DriftInterval = TimeSpan.FromMinutes(-1) } }));
        Assert.Single(Failures(new ServerOptions { Cloud = new CloudOptions { DriftInterval = TimeSpan.FromDays(60) } }));
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("host:http")]
    [InlineData("host:70000")]
    [InlineData("[::1")]
    public void Validate_BadAllowedHost_FailsNamingTheEntry(string entry)
    {
        var failures = Failures(new ServerOptions { AllowedHosts = $"ok.example.com;{entry}" }).ToList();

        Assert.Equal([$"AllowedHosts: '{entry}' is not a host name, HOST:PORT or *"], failures);
    }

    [Theory]
    [InlineData("mysql://x", "Database:")]
    [InlineData("sqlite:x.db", "")]
    [InlineData("postgres://u@h:5432/db", "")]
    public void Validate_Database_AcceptsSqliteAndPostgres(string database, string failurePrefix)
    {
        var failures = Failures(new ServerOptions { Database = database }).ToList();
        if (failurePrefix.Length == 0)
        {
            Assert.Empty(failures);
        }
        else
        {
            Assert.Contains(failures, f => f.StartsWith(failurePrefix, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Validate_BadSettings_NameEachOne()
    {
        var failures = Failures(new ServerOptions
        {
            Executor = "docker",
            MaxConcurrentTaskRuns = 0,
            LeaseDuration = TimeSpan.FromSeconds(2),
            PollInterval = TimeSpan.FromSeconds(1),
            Retention = new RetentionOptions { Schedule = "every hour" },
            KubernetesResultsFrom = "etcd",
            KubernetesMaxResultSize = 2 * 1024 * 1024,
            KubernetesRegistries = ["docker.io=https://mirror.example.org", "quay.io"],
        }).ToList();

        Assert.Contains(failures, f => f.StartsWith("Executor:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("MaxConcurrentTaskRuns:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("LeaseDuration/PollInterval:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Retention:Schedule:", StringComparison.Ordinal));
        Assert.Contains("KubernetesResultsFrom: 'etcd' is neither termination-message nor sidecar-logs", failures);
        Assert.Contains(failures, f => f.StartsWith("KubernetesMaxResultSize: 2097152 is not between 1 and 1572864", StringComparison.Ordinal));
        Assert.Contains("KubernetesRegistries: 'quay.io' is not HOST=URL (a registry host, an http or https URL: docker.io=https://mirror.example.org)", failures);
        Assert.Empty(Failures(new ServerOptions { KubernetesResultsFrom = "sidecar-logs", KubernetesMaxResultSize = 1572864, KubernetesRegistries = ["localhost:5000=http://127.0.0.1:5000"] }));
    }

    [Fact]
    public void Validate_GitHubApp_IdAndRsaKeyAccepted_MisconfigurationsNamed()
    {
        var dir = Directory.CreateTempSubdirectory("mship-app-");
        try
        {
            using var rsa = System.Security.Cryptography.RSA.Create(2048);
            var key = Path.Combine(dir.FullName, "app.pem");
            var publicKey = Path.Combine(dir.FullName, "public.pem");
            File.WriteAllText(key, rsa.ExportRSAPrivateKeyPem());
            File.WriteAllText(publicKey, rsa.ExportRSAPublicKeyPem());
            File.WriteAllText(Path.Combine(dir.FullName, "token"), "t\n");

            Assert.Empty(Failures(new ServerOptions { GitHub = new GitHubOptions { AppId = 12, PrivateKeyFile = key } }));
            Assert.Equal(
                ["GitHub:PrivateKeyFile: a GitHub App signs its requests with its private key: set GitHub:PrivateKeyFile to the PEM file GitHub generated for it"],
                Failures(new ServerOptions { GitHub = new GitHubOptions { AppId = 12 } }));
            Assert.Equal(
                ["GitHub:AppId: a GitHub App's private key is set (GitHub:PrivateKeyFile) but not its App ID: set GitHub:AppId too (the app's settings page shows it)"],
                Failures(new ServerOptions { GitHub = new GitHubOptions { PrivateKeyFile = key } }));
            Assert.Equal(
                [$"GitHub:PrivateKeyFile: no RSA private key in '{publicKey}': it holds no RSA private key (a public key, or another kind of key)"],
                Failures(new ServerOptions { GitHub = new GitHubOptions { AppId = 12, PrivateKeyFile = publicKey } }));
            Assert.Equal(
                ["GitHub:PrivateKeyFile: no RSA private key in '/nonexistent/app.pem': no readable file there"],
                Failures(new ServerOptions { GitHub = new GitHubOptions { AppId = 12, PrivateKeyFile = "/nonexistent/app.pem" } }));
            Assert.Equal(
                ["GitHub:AppId: the bot speaks either with a token or as a GitHub App: set GitHub:TokenFile, or GitHub:AppId and GitHub:PrivateKeyFile, not both"],
                Failures(new ServerOptions { GitHub = new GitHubOptions { AppId = 12, PrivateKeyFile = key, TokenFile = Path.Combine(dir.FullName, "token") } }));
            Assert.Contains("GitHub:AppId: must be a positive number, the app's App ID (got -3)",
                Failures(new ServerOptions { GitHub = new GitHubOptions { AppId = -3, PrivateKeyFile = key } }));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Validate_WaitsLongerThanATimerTakes_NamesEachSetting()
    {
        var failures = Failures(new ServerOptions { LeaseDuration = TimeSpan.FromDays(60), PollInterval = TimeSpan.FromDays(20), SweepInterval = TimeSpan.FromDays(365) }).ToList();

        Assert.Contains("LeaseDuration: 1440h0m0s is longer than 1000h, the longest the server can wait", failures);
        Assert.Contains("SweepInterval: 8760h0m0s is longer than 1000h, the longest the server can wait", failures);
        Assert.Empty(Failures(new ServerOptions { LeaseDuration = TimeSpan.FromHours(1000), PollInterval = TimeSpan.FromHours(300), SweepInterval = TimeSpan.FromHours(1000) }));
    }

    [Fact]
    public void Validate_EmptyWorkdirOrUrls_NamesEach()
    {
        // An empty Workdir was "The value cannot be an empty string. (Parameter 'path')" at start.
        var failures = Failures(new ServerOptions { Workdir = "", Urls = " " }).ToList();

        Assert.Contains("Workdir: empty; give a directory (default .mothership/runs)", failures);
        Assert.Contains("Urls: empty; give one or more http(s) URLs separated by ';' (default http://127.0.0.1:8080)", failures);
    }

    [Fact]
    public void Validate_NumbersAndDurationsOutOfRange_NameTheSettingTheValueAndWhatItTakes()
    {
        // Issue 20, 2: "MaxRequestBytes: at least 1024" named neither the value nor what it takes.
        var failures = Failures(new ServerOptions
        {
            MaxRequestBytes = -5,
            MaxActiveRuns = 0,
            LeaseDuration = TimeSpan.FromSeconds(2),
            Retention = new RetentionOptions
            {
                KeepLast = -1,
                MaxAge = TimeSpan.Zero,
                DeliveryMaxAge = TimeSpan.FromHours(-1),
                Pipelines = { ["deploy"] = new RetentionRuleOptions { KeepLastFailed = -3, FailedMaxAge = TimeSpan.FromMinutes(-5) } },
            },
        }).ToList();

        Assert.Equal(
            [
                "MaxActiveRuns: 0 is below 1 (a whole number, at least 1)",
                "LeaseDuration/PollInterval: 2s and 1s: the poll interval must be positive and the lease at least 1s and at least three poll intervals (defaults 15s and 1s)",
                "MaxRequestBytes: -5 is below 1024 (a number of bytes, at least 1024; default 4194304, 4 MiB)",
                "Retention:KeepLast: -1 is negative (a number of runs, 0 or more)",
                "Retention:MaxAge: 0s is not positive (a duration such as 720h)",
                "Retention:Pipelines:deploy:KeepLastFailed: -3 is negative (a number of runs, 0 or more)",
                "Retention:Pipelines:deploy:FailedMaxAge: -5m0s is not positive (a duration such as 720h)",
                "Retention:DeliveryMaxAge: -1h0m0s is not positive (a duration such as 720h)",
            ],
            failures);
    }

    [Fact]
    public void Validate_CiIntervalsNotPositive_NamedAsGoDurations()
    {
        var failures = Failures(new ServerOptions
        {
            Ci = { ReloadInterval = TimeSpan.Zero },
            GitHub = { ReconcileInterval = TimeSpan.FromMinutes(-10) },
        });

        Assert.Contains("Ci:ReloadInterval: 0s is not positive (a duration such as 30s)", failures);
        Assert.Contains("GitHub:ReconcileInterval: -10m0s is not positive (a duration such as 10m)", failures);
    }
}
