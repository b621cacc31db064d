namespace Mothership.IntegrationTests.Cloud;

/// <summary>A real git repository holding a small site repository with path charts, built by the test.</summary>
internal sealed class SiteRepositoryFixture : IDisposable
{
    public SiteRepositoryFixture()
    {
        Root = Directory.CreateTempSubdirectory("mship-site-").FullName;
        Git("init", "-q", "-b", "main");
    }

    public string Root { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    public void Write(string path, string text)
    {
        var full = Path.Combine(Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    public string Commit(string message)
    {
        Git("add", "-A");
        Git("-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", message);
        return Git("rev-parse", "HEAD").Trim();
    }

    public string Git(params string[] args) => GitCommand.Run(Root, args);

    /// <summary>A chart like OpenStack-Helm's: static waits on endpoint types, endpoints naming their hosts.</summary>
    public void Chart(string name, string[] needs, params (string Type, string Host)[] endpoints)
    {
        Write($"charts/{name}/Chart.yaml", $"apiVersion: v2\nname: {name}\nversion: 0.1.0\n");
        Write($"charts/{name}/values.yaml",
            "dependencies:\n  static:\n    api:\n      services:\n" + string.Concat(needs.Select(n => $"        - {{endpoint: internal, service: {n}}}\n")) +
            "endpoints:\n" + string.Concat(endpoints.Select(e => $"  {e.Type}:\n    hosts:\n      default: {e.Host}\n")));
        Write($"charts/{name}/templates/deployment.yaml", $"# {name}\n");
    }

    /// <summary>db ← ident ← image, three sites over two regions.</summary>
    public static SiteRepositoryFixture Small()
    {
        var repo = new SiteRepositoryFixture();
        repo.Chart("db", [], ("oslo_db", "db"));
        repo.Chart("ident", ["oslo_db"], ("oslo_db", "db"), ("identity", "ident-api"));
        repo.Chart("image", ["oslo_db", "identity"], ("oslo_db", "db"), ("identity", "ident-api"), ("image", "image-api"));
        repo.Write("cloud.yaml", """
            apiVersion: mothership.io/v1
            kind: Cloud
            metadata: {name: small}
            spec:
              services:
                - {name: db, chart: {path: charts/db}, namespace: infra, estimatedDuration: 2m}
                - {name: ident, chart: {path: charts/ident}, test: true}
                - {name: image, chart: {path: charts/image}}
            """);
        foreach (var (site, env, region) in new[] { ("dev-a", "dev", "a"), ("prod-a", "prod", "a"), ("prod-b", "prod", "b") })
        {
            repo.Write($"sites/{site}/site.yaml", $$"""
                apiVersion: mothership.io/v1
                kind: Site
                metadata: {name: {{site}}}
                spec:
                  environment: {{env}}
                  region: {{region}}
                  cluster: {context: {{site}}, namespace: openstack}
                  services: [db, ident, image]
                """);
        }

        repo.Write("values/global/ident.yaml", "conf:\n  debug: false\n  admin_password: hunter2\n");
        repo.Write("values/global/image.yaml", "replicas: 2\n");
        repo.Write("values/regions/a/db.yaml", "size: 10Gi\n");
        repo.Write("values/regions/b/db.yaml", "size: 20Gi\n");
        repo.Write("sites/dev-a/values/image.yaml", "replicas: 1\n");
        repo.Commit("first");
        return repo;
    }
}
