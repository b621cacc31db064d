using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mothership.Cloud.Charts;
using Mothership.Cloud.Planning;
using Mothership.Cloud.Sites;
using Mothership.Cloud.Sources;
using Mothership.Model.Diagnostics;

namespace Mothership.Bench;

/// <summary>
/// Times <c>mship plan</c>'s work on a large site repository built from the real OpenStack-Helm
/// charts: N sites of S services each, planned from the working tree and between two git revisions
/// (one region's values file changed), with one <see cref="ChartStore"/> shared as within one
/// <c>mship</c> process. Then compares the compute kit's deploy time when installed one chart after
/// another, as OpenStack-Helm's own gate does, with the plan's critical path.
/// </summary>
internal static class CloudBenchmark
{
    private const string ChartRepository = "https://tarballs.opendev.org/openstack/openstack-helm";

    private const int Regions = 10;

    /// <summary>The region whose values file the second commit changes.</summary>
    private const string ChangedRegion = "r3";

    /// <summary>The service whose region file the second commit changes.</summary>
    private const string ChangedService = "nova";

    /// <summary>Services with a per-region values file (endpoints carry the region's domain).</summary>
    private static readonly string[] RegionalServices = ["keystone", "glance", "nova", "neutron", "horizon"];

    private static readonly string[] EnvironmentNames = ["dev", "stage", "prod"];

    /// <summary>
    /// OpenStack-Helm's compute kit in the order its gate installs it, one chart after another
    /// (playbooks/deploy-compute-kit.yaml, see SOURCE.md next to the charts), with a typical
    /// install time on a small lab cluster: image pulls, db-init/db-sync/ks-* jobs and pods ready.
    /// The figures are estimates, not measurements; only the ratio they give is read.
    /// </summary>
    private static readonly (string Service, TimeSpan Duration)[] ComputeKit =
    [
        ("rabbitmq", TimeSpan.FromMinutes(3)),
        ("mariadb", TimeSpan.FromMinutes(4)),
        ("memcached", TimeSpan.FromMinutes(1)),
        ("keystone", TimeSpan.FromMinutes(6)),   // db-sync, bootstrap, fernet and credential setup
        ("cinder", TimeSpan.FromMinutes(6)),
        ("heat", TimeSpan.FromMinutes(5)),
        ("glance", TimeSpan.FromMinutes(5)),
        ("openvswitch", TimeSpan.FromMinutes(2)),
        ("libvirt", TimeSpan.FromMinutes(3)),
        ("ovn", TimeSpan.FromMinutes(4)),
        ("placement", TimeSpan.FromMinutes(3)),
        ("nova", TimeSpan.FromMinutes(12)),      // the longest db-sync and cell setup, then compute
        ("neutron", TimeSpan.FromMinutes(8)),
        ("horizon", TimeSpan.FromMinutes(5)),
    ];

    /// <summary>
    /// Services after the compute kit, up to S: other OpenStack charts first, so the larger sites
    /// look like clouds rather than a list of monitoring charts.
    /// </summary>
    private static readonly string[] Extras =
    [
        "barbican", "designate", "octavia", "aodh", "ceilometer", "gnocchi", "magnum", "manila",
        "ironic", "masakari", "mistral", "cloudkitty", "blazar", "watcher", "trove", "zaqar",
        "tacker", "cyborg", "skyline", "freezer", "swift",
    ];

    /// <summary>
    /// Runs the cloud mode; with <paramref name="batchOnly"/> only the repository, its two commits
    /// and the batch planner against per-site planning (a short run for an idle window).
    /// </summary>
    public static int Run(int sites, int services, int iterations, string? charts, bool batchOnly = false)
    {
        var chartDir = charts ?? DefaultChartDirectory();
        if (chartDir is null || !Directory.Exists(chartDir))
        {
            Console.Error.WriteLine($"cloud: OpenStack-Helm charts not found at {chartDir ?? "$MOTHERSHIP_FIXTURES/openstack-helm or ../shared/fixtures/openstack-helm"}: give the folder holding <chart>/Chart.yaml with --charts DIR (or set MOTHERSHIP_FIXTURES)");
            return 2;
        }

        var available = ServiceNames(chartDir, int.MaxValue);
        var missing = ComputeKit.Select(k => k.Service).Where(s => !available.Contains(s)).ToList();
        if (missing.Count > 0)
        {
            Console.Error.WriteLine($"cloud: {chartDir} lacks the compute kit's charts {string.Join(", ", missing)} (<chart>/Chart.yaml)");
            return 2;
        }

        if (services < ComputeKit.Length)
        {
            // The change-detection step edits nova's region file, and the sites are meant to be clouds.
            Console.Error.WriteLine($"cloud: --services {services}: at least {ComputeKit.Length}, the compute kit ({string.Join(", ", ComputeKit.Select(k => k.Service))})");
            return 2;
        }

        if (services > available.Count)
        {
            Console.Error.WriteLine($"cloud: --services {services}: {chartDir} holds only {available.Count} application charts");
            return 2;
        }

        var root = Directory.CreateTempSubdirectory("mothership-cloud-bench-");
        try
        {
            var names = ServiceNames(chartDir, services);
            if (batchOnly)
            {
                var clock = Stopwatch.StartNew();
                var siteNames = WriteRepository(root.FullName, chartDir, sites, names);
                CommitTwoRevisions(root.FullName);
                Console.WriteLine($"cloud --batch-only: {sites:N0} sites × {services} services written and committed twice in {clock.Elapsed.TotalSeconds:F1} s; {iterations} timed iterations");
                var batches = BatchPlanning(root.FullName, chartDir, siteNames, iterations);
                Console.WriteLine();
                Console.WriteLine("| batch planner, HEAD~1..HEAD | value |");
                Console.WriteLine("| --- | --- |");
                PrintBatches(batches);
                Console.WriteLine($"| peak working set | {PeakWorkingSetMb():F0} MB |");
                return batches.All(b => b.SameAsPerSite) ? 0 : 1;
            }

            var scale = PlanAtScale(root.FullName, chartDir, sites, names, iterations);
            if (scale is null)
            {
                return 1;
            }

            var kit = Directory.CreateDirectory(Path.Combine(root.FullName, "compute-kit")).FullName;
            var makespan = Makespan(kit, chartDir);
            if (makespan is null)
            {
                return 1;
            }

            PrintTable(sites, services, scale, makespan);
            return scale.RanAsExpected && makespan.Agrees && scale.Batches.All(b => b.SameAsPerSite) ? 0 : 1;
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    /// <summary>$MOTHERSHIP_FIXTURES/openstack-helm, else ../shared/fixtures/openstack-helm next to the repository.</summary>
    private static string? DefaultChartDirectory()
    {
        if (Environment.GetEnvironmentVariable("MOTHERSHIP_FIXTURES") is { Length: > 0 } fixtures)
        {
            return Path.Combine(fixtures, "openstack-helm");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mothership.slnx")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures", "openstack-helm"));
            }
        }

        return null;
    }

    /// <summary>The first <paramref name="count"/> service names: the compute kit, the extras, then every other chart of the folder by name.</summary>
    private static List<string> ServiceNames(string chartDir, int count)
    {
        // helm-toolkit is a library chart: it is never installed on its own.
        var present = Directory.EnumerateDirectories(chartDir)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(n => n != "helm-toolkit" && File.Exists(Path.Combine(chartDir, n, "Chart.yaml")))
            .ToHashSet(StringComparer.Ordinal);
        return [.. ComputeKit.Select(k => k.Service)
            .Concat(Extras)
            .Concat(present.Order(StringComparer.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Where(present.Contains)
            .Take(count)];
    }

    /// <summary>What planning at scale measured.</summary>
    private sealed record ScaleResult
    {
        public required double ColdMs { get; init; }

        public required double ColdFirstSiteMs { get; init; }

        public required double ChartParseMs { get; init; }

        public required List<double> WarmMs { get; init; }

        public required double AllocatedMbPerIteration { get; init; }

        public required double PeakAfterWorkingTreeMb { get; init; }

        public required int Warnings { get; init; }

        public required double GitColdMs { get; init; }

        public required List<double> GitMs { get; init; }

        public required int GitIterationsAsked { get; init; }

        public required int ServicesRan { get; init; }

        public required int SitesRan { get; init; }

        public required int SitesInRegion { get; init; }

        public required bool RanAsExpected { get; init; }

        public required double PeakMb { get; init; }

        public required double HeapAfterMb { get; init; }

        public required List<BatchResult> Batches { get; init; }
    }

    /// <summary>The batch planner over the first <see cref="Sites"/> sites between the two commits.</summary>
    /// <summary>A batch size's wall times, the process CPU time of each batch (all threads, the GC's included: less sensitive to other load on the machine than wall time), and per-site planning's wall times.</summary>
    private sealed record BatchResult(int Sites, List<double> Ms, List<double> CpuMs, List<double> PerSiteMs, bool SameAsPerSite);

    private static ScaleResult? PlanAtScale(string dir, string chartDir, int sites, List<string> services, int iterations)
    {
        var clock = Stopwatch.StartNew();
        var siteNames = WriteRepository(dir, chartDir, sites, services);
        Console.WriteLine($"cloud: {sites:N0} sites × {services.Count} services ({string.Join(", ", services)}) written to {dir} in {clock.Elapsed.TotalSeconds:F1} s; {iterations} timed iterations");

        // Cold: a fresh process's first plan of every site, JIT and chart parsing included.
        var store = new ChartStore(chartDir);
        clock.Restart();
        var firstBag = new DiagnosticBag();
        var firstRequest = new DeployPlanRequest { Repository = dir, Site = siteNames[0], Charts = chartDir };
        var first = RepositoryPlanner.Plan(firstRequest, store, firstBag);
        var coldFirstSite = clock.Elapsed.TotalMilliseconds;
        if (first is null || firstBag.HasErrors)
        {
            Console.Error.WriteLine($"cloud: the generated site {siteNames[0]} does not plan:");
            foreach (var d in firstBag.Sorted().Take(20))
            {
                Console.Error.WriteLine($"  {d}");
            }

            first?.Dispose();
            return null;
        }

        var groups = first.Plan.Services.Select(s => s.Group).OfType<string>().Distinct().ToList();
        Console.WriteLine($"{siteNames[0]}: {first.Plan.Waves.Length} waves, groups [{string.Join(", ", groups)}], critical path {string.Join(" → ", first.Plan.CriticalPath.Services)} ({first.Plan.CriticalPath.Duration.TotalMinutes:F0} min at the default 5 min per service)");
        first.Dispose();
        PlanAll(dir, chartDir, siteNames.Skip(1), store, null, null);
        var cold = clock.Elapsed.TotalMilliseconds;
        Console.WriteLine($"cold first iteration: {cold:F0} ms (first site alone {coldFirstSite:F0} ms); warnings on {siteNames[0]}: {firstBag.Items.Count}");
        foreach (var warning in firstBag.Items.Select(d => d.Message).Distinct().Take(5))
        {
            Console.WriteLine($"  warning: {warning}");
        }

        // Chart parsing alone, with the JIT warm: what the shared store saves every later site.
        var fresh = new ChartStore(chartDir);
        var quiet = new DiagnosticBag();
        var files = new WorkingTreeFiles(dir);
        var entries = SiteRepositoryLoader.LoadCatalog(files, ".", quiet)!.Services;
        clock.Restart();
        foreach (var entry in entries)
        {
            fresh.Find(files, entry, ".", quiet);
        }

        var chartParse = clock.Elapsed.TotalMilliseconds;

        var warm = new List<double>();
        var allocated = new List<double>();
        for (var n = 0; n < iterations; n++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            clock.Restart();
            PlanAll(dir, chartDir, siteNames, store, null, null);
            warm.Add(clock.Elapsed.TotalMilliseconds);
            allocated.Add((GC.GetTotalAllocatedBytes(precise: true) - before) / 1024.0 / 1024.0);
            Console.WriteLine($"  working tree, iteration {n + 1}: {warm[^1]:F0} ms");
        }

        var peakAfterWorkingTree = PeakWorkingSetMb();

        // Change detection: commit everything, change one region's file in a second commit.
        clock.Restart();
        CommitTwoRevisions(dir);
        Console.WriteLine($"git: two commits in {clock.Elapsed.TotalSeconds:F1} s; second changes values/regions/{ChangedRegion}/{ChangedService}.yaml");

        var ran = new RunCount();
        clock.Restart();
        PlanAll(dir, chartDir, siteNames, store, "HEAD~1", ran);
        var gitCold = clock.Elapsed.TotalMilliseconds;
        Console.WriteLine($"  HEAD~1..HEAD, first iteration: {gitCold:F0} ms; services that ran: {ran.Services} in {ran.Sites} sites");

        // Fewer iterations when one takes long, so the whole mode stays within a few minutes.
        var gitIterations = Math.Clamp((int)(60_000 / Math.Max(gitCold, 1)), 1, iterations);
        if (gitIterations < iterations)
        {
            Console.WriteLine($"  HEAD~1..HEAD: {gitIterations} timed iterations instead of {iterations} (one takes {gitCold / 1000:F1} s)");
        }

        var gitTimes = new List<double>();
        for (var n = 0; n < gitIterations; n++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            clock.Restart();
            PlanAll(dir, chartDir, siteNames, store, "HEAD~1", null);
            gitTimes.Add(clock.Elapsed.TotalMilliseconds);
            Console.WriteLine($"  HEAD~1..HEAD, iteration {n + 1}: {gitTimes[^1]:F0} ms");
        }

        var inRegion = siteNames.Where((_, i) => Region(i) == ChangedRegion).ToList();
        var expected = inRegion.Select(s => $"{s}/{ChangedService}").ToHashSet(StringComparer.Ordinal);
        var asExpected = ran.Which.SetEquals(expected);
        if (!asExpected)
        {
            var extra = ran.Which.Except(expected).Take(5);
            var absent = expected.Except(ran.Which).Take(5);
            Console.Error.WriteLine($"cloud: change detection ran other services than {ChangedService} in the {inRegion.Count} sites of {ChangedRegion}: unexpected [{string.Join(", ", extra)}], missing [{string.Join(", ", absent)}]");
        }

        var batches = BatchPlanning(dir, chartDir, siteNames, iterations);

        GC.Collect();
        return new ScaleResult
        {
            ColdMs = cold,
            ColdFirstSiteMs = coldFirstSite,
            ChartParseMs = chartParse,
            WarmMs = warm,
            AllocatedMbPerIteration = Median([.. allocated.Order()]),
            PeakAfterWorkingTreeMb = peakAfterWorkingTree,
            Warnings = firstBag.Items.Count,
            GitColdMs = gitCold,
            GitMs = gitTimes,
            GitIterationsAsked = iterations,
            ServicesRan = ran.Services,
            SitesRan = ran.Sites,
            SitesInRegion = inRegion.Count,
            RanAsExpected = asExpected,
            PeakMb = PeakWorkingSetMb(),
            HeapAfterMb = GC.GetGCMemoryInfo().HeapSizeBytes / 1024.0 / 1024.0,
            Batches = batches,
        };
    }

    /// <summary>Makes the folder a git repository of two commits, the second changing one region's nova values.</summary>
    private static void CommitTwoRevisions(string dir)
    {
        Git(dir, "init", "-q");
        Git(dir, "add", "-A");
        Git(dir, "commit", "-q", "-m", "sites");
        var changed = Path.Combine(dir, "values", "regions", ChangedRegion, $"{ChangedService}.yaml");
        File.WriteAllText(changed, RegionValues(ChangedRegion, ChangedService, allocationRatio: "4.0"));
        Git(dir, "commit", "-q", "-a", "-m", $"{ChangedRegion}: raise nova's cpu_allocation_ratio");
    }

    /// <summary>
    /// <see cref="RepositoryPlanner.PlanSites"/> over the first 100, 500 and 1,000 sites (as many
    /// as there are) between HEAD~1 and HEAD, each with a fresh <see cref="ChartStore"/> as a new
    /// <c>mship plan</c> process would have, after one untimed warm-up; every batch's plans are
    /// compared with the same sites planned one by one.
    /// </summary>
    private static List<BatchResult> BatchPlanning(string dir, string chartDir, List<string> siteNames, int iterations)
    {
        using (RepositoryPlanner.PlanSites(new SitePlansRequest { Repository = dir, Sites = [.. siteNames.Take(10)], From = "HEAD~1", To = "HEAD" }, new ChartStore(chartDir)))
        {
            // Warm-up: JIT of the batch path.
        }

        var results = new List<BatchResult>();
        foreach (var size in new[] { 100, 500, 1000 }.Where(n => n <= siteNames.Count).DefaultIfEmpty(siteNames.Count).Distinct())
        {
            var sites = siteNames.Take(size).ToList();
            var times = new List<double>();
            var cpu = new List<double>();
            var perSite = new List<double>();
            var same = true;
            for (var n = 0; n < iterations; n++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                using var plans = RepositoryPlanner.PlanSites(new SitePlansRequest { Repository = dir, Sites = [.. sites], From = "HEAD~1", To = "HEAD" }, new ChartStore(chartDir));
                times.Add(clock.Elapsed.TotalMilliseconds);
                cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
                if (plans.HasErrors)
                {
                    throw new InvalidOperationException($"the batch of {size} sites does not plan: {string.Join("; ", plans.Sites.First(s => s.HasErrors).Diagnostics.Take(3))}");
                }

                if (n == 0)
                {
                    same = SameAsPerSite(dir, chartDir, plans);
                }

                // Per-site planning of the same sites, timed right after, so both see the same machine load.
                clock.Restart();
                PlanAll(dir, chartDir, sites, new ChartStore(chartDir), "HEAD~1", null);
                perSite.Add(clock.Elapsed.TotalMilliseconds);
            }

            var sorted = times.Order().ToList();
            var alone = perSite.Order().ToList();
            Console.WriteLine($"  batch of {size:N0} sites, HEAD~1..HEAD: median {Median(sorted):F0} ms, min {sorted[0]:F0} ms (process CPU median {Median([.. cpu.Order()]):F0} ms); per-site planning of the same sites, interleaved: median {Median(alone):F0} ms ({iterations} iterations each); plans equal to per-site planning: {(same ? "yes" : "NO")}");
            results.Add(new BatchResult(size, times, cpu, perSite, same));
        }

        return results;
    }

    /// <summary>Whether every site's batch plan prints as the same site planned alone does (JSON) — checked on every 10th site to keep the run short.</summary>
    private static bool SameAsPerSite(string dir, string chartDir, SitePlans plans)
    {
        var store = new ChartStore(chartDir);
        foreach (var result in plans.Sites.Where((_, i) => i % 10 == 0))
        {
            var bag = new DiagnosticBag();
            using var alone = RepositoryPlanner.Plan(new DeployPlanRequest { Repository = dir, Site = result.Site, From = "HEAD~1", To = "HEAD" }, store, bag);
            if (alone is null || PlanFormats.JsonText(alone.Plan) != PlanFormats.JsonText(result.Planned!.Plan) || bag.Items.Count != result.Diagnostics.Length)
            {
                Console.Error.WriteLine($"cloud: site {result.Site}: the batch plan differs from planning it alone");
                return false;
            }
        }

        return true;
    }

    /// <summary>Which services a plan with a base revision runs, over all sites.</summary>
    private sealed class RunCount
    {
        public HashSet<string> Which { get; } = new(StringComparer.Ordinal);

        public int Services => Which.Count;

        public int Sites { get; set; }
    }

    /// <summary>Plans every site as <c>mship plan</c> does; throws when one does not plan, since a timing of failures means nothing.</summary>
    private static void PlanAll(string dir, string chartDir, IEnumerable<string> sites, ChartStore store, string? from, RunCount? ran)
    {
        foreach (var site in sites)
        {
            var bag = new DiagnosticBag();
            var request = new DeployPlanRequest { Repository = dir, Site = site, Charts = chartDir, From = from, To = from is null ? null : "HEAD" };
            using var planned = RepositoryPlanner.Plan(request, store, bag);
            if (planned is null || bag.HasErrors)
            {
                throw new InvalidOperationException($"site {site} does not plan: {string.Join("; ", bag.Sorted().Where(d => d.Severity == Severity.Error).Take(3))}");
            }

            if (ran is not null)
            {
                var running = planned.Plan.Services.Where(s => s.Run).Select(s => $"{site}/{s.Name}").ToList();
                ran.Which.UnionWith(running);
                ran.Sites += running.Count > 0 ? 1 : 0;
            }
        }
    }

    private static string Region(int site) => $"r{site % Regions + 1}";

    /// <summary>Writes cloud.yaml, sites/site-NNNN/site.yaml and the values layers; returns the site names.</summary>
    private static List<string> WriteRepository(string dir, string chartDir, int sites, List<string> services)
    {
        File.WriteAllText(Path.Combine(dir, SiteRepositoryLoader.CatalogFile), Catalog("bench-cloud", chartDir, services.Select(s => (s, (TimeSpan?)null))));
        var global = Directory.CreateDirectory(Path.Combine(dir, "values", "global")).FullName;
        foreach (var service in services)
        {
            File.WriteAllText(Path.Combine(global, $"{service}.yaml"), $"# {service}: every site\npod:\n  resources:\n    enabled: true\n");
        }

        var prod = Directory.CreateDirectory(Path.Combine(dir, "values", "environments", "prod")).FullName;
        foreach (var service in RegionalServices.Where(services.Contains))
        {
            File.WriteAllText(Path.Combine(prod, $"{service}.yaml"), $"# {service}: prod sites\npod:\n  replicas:\n    api: 3\n");
        }

        for (var r = 0; r < Regions; r++)
        {
            var region = $"r{r + 1}";
            var folder = Directory.CreateDirectory(Path.Combine(dir, "values", "regions", region)).FullName;
            foreach (var service in RegionalServices.Where(services.Contains))
            {
                File.WriteAllText(Path.Combine(folder, $"{service}.yaml"), RegionValues(region, service, allocationRatio: "2.0"));
            }
        }

        var width = Math.Max(4, sites.ToString(CultureInfo.InvariantCulture).Length);
        var names = new List<string>(sites);
        for (var i = 0; i < sites; i++)
        {
            var name = $"site-{(i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width, '0')}";
            names.Add(name);
            var folder = Directory.CreateDirectory(Path.Combine(dir, "sites", name)).FullName;
            File.WriteAllText(Path.Combine(folder, "site.yaml"), Site(name, EnvironmentNames[i % EnvironmentNames.Length], Region(i), services));
            if (i % 100 == 0 && services.Contains("nova"))
            {
                // A few sites tune their own hypervisors.
                var values = Directory.CreateDirectory(Path.Combine(folder, "values")).FullName;
                File.WriteAllText(Path.Combine(values, "nova.yaml"), "conf:\n  nova:\n    DEFAULT:\n      reserved_host_memory_mb: 4096\n");
            }
        }

        return names;
    }

    private static string RegionValues(string region, string service, string allocationRatio)
    {
        var text = $"# {service}: sites of region {region}\nendpoints:\n  cluster_domain_suffix: {region}.cloud.example.org\n";
        return service == ChangedService
            ? text + $"conf:\n  nova:\n    DEFAULT:\n      cpu_allocation_ratio: {allocationRatio}\n"
            : text;
    }

    private static string Catalog(string name, string chartDir, IEnumerable<(string Service, TimeSpan? Duration)> services)
    {
        var yaml = new StringBuilder();
        yaml.Append($"apiVersion: {SiteRepositoryLoader.ApiVersion}\nkind: Cloud\nmetadata:\n  name: {name}\nspec:\n");
        yaml.Append("  externalEndpoints:\n");
        yaml.Append("    - endpoint: local_image_registry\n      reason: images come from each site's own mirror, which no chart of this cloud deploys\n");
        yaml.Append("  services:\n");
        foreach (var (service, duration) in services)
        {
            yaml.Append($"    - name: {service}\n");
            yaml.Append($"      chart: {{repository: {ChartRepository}, name: {service}, version: {ChartVersion(chartDir, service)}}}\n");
            if (duration is { } d)
            {
                yaml.Append($"      estimatedDuration: {(int)d.TotalMinutes}m\n");
            }

            if (service == "nova")
            {
                yaml.Append("      dependsOn:\n        - service: placement\n          reason: nova-compute registers its resource provider with placement when it starts\n");
            }
        }

        return yaml.ToString();
    }

    /// <summary>The version in the chart's Chart.yaml, so the catalog names what the folder holds.</summary>
    private static string ChartVersion(string chartDir, string chart) =>
        File.ReadLines(Path.Combine(chartDir, chart, "Chart.yaml"))
            .FirstOrDefault(l => l.StartsWith("version:", StringComparison.Ordinal))?["version:".Length..].Trim() ?? "0.0.0";

    private static string Site(string name, string environment, string region, IEnumerable<string> services)
    {
        var yaml = new StringBuilder();
        yaml.Append($"apiVersion: {SiteRepositoryLoader.ApiVersion}\nkind: Site\nmetadata:\n  name: {name}\nspec:\n");
        yaml.Append($"  environment: {environment}\n  region: {region}\n  cluster:\n    context: {name}\n  services:\n");
        foreach (var service in services)
        {
            yaml.Append($"    - {service}\n");
        }

        return yaml.ToString();
    }

    private static void Git(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // No global git configuration is assumed: identity, signing and branch name are given here.
        foreach (var arg in (string[])["-c", "user.name=Mothership Bench", "-c", "user.email=bench@mothership.invalid", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        using var git = Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        var stderr = git.StandardError.ReadToEndAsync();
        git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed ({git.ExitCode}): {stderr.Result}");
        }
    }

    /// <summary>The compute kit's deploy time: one chart after another against the plan's critical path.</summary>
    private sealed record MakespanResult(TimeSpan Sequential, TimeSpan Planned, TimeSpan Simulated, CriticalPath Path, bool Agrees);

    private static MakespanResult? Makespan(string dir, string chartDir)
    {
        File.WriteAllText(Path.Combine(dir, SiteRepositoryLoader.CatalogFile), Catalog("compute-kit", chartDir, ComputeKit.Select(k => (k.Service, (TimeSpan?)k.Duration))));
        Directory.CreateDirectory(Path.Combine(dir, "sites", "lab"));
        File.WriteAllText(Path.Combine(dir, "sites", "lab", "site.yaml"), Site("lab", "dev", "r1", ComputeKit.Select(k => k.Service)));
        var bag = new DiagnosticBag();
        using var planned = RepositoryPlanner.Plan(new DeployPlanRequest { Repository = dir, Site = "lab", Charts = chartDir }, new ChartStore(chartDir), bag);
        if (planned is null || bag.HasErrors)
        {
            Console.Error.WriteLine("cloud: the compute kit does not plan:");
            foreach (var d in bag.Sorted().Take(20))
            {
                Console.Error.WriteLine($"  {d}");
            }

            return null;
        }

        var plan = planned.Plan;
        Console.WriteLine($"compute kit: {plan.Services.Length} services in {plan.Waves.Length} waves ({bag.Items.Count} warnings)");
        for (var w = 0; w < plan.Waves.Length; w++)
        {
            var members = plan.Waves[w].Select(n => plan.Find(n)!).Select(s =>
                $"{s.Name} {(int)s.EstimatedDuration.TotalMinutes}m{(s.Group is { } g ? $" [group {g}]" : "")}{(s.DependsOn.IsEmpty ? "" : $" ← {string.Join(", ", s.DependsOn)}")}");
            Console.WriteLine($"  wave {w + 1}: {string.Join("; ", members)}");
        }

        foreach (var warning in bag.Items.Select(d => d.Message).Distinct())
        {
            Console.WriteLine($"  warning: {warning}");
        }

        var sequential = ComputeKit.Aggregate(TimeSpan.Zero, (sum, k) => sum + k.Duration);
        var simulated = Simulate(plan);
        var agrees = simulated == plan.CriticalPath.Duration;
        Console.WriteLine($"critical path: {string.Join(" → ", plan.CriticalPath.Services)} = {plan.CriticalPath.Duration.TotalMinutes:F0} min; simulated: {simulated.TotalMinutes:F0} min");
        if (!agrees)
        {
            Console.Error.WriteLine($"cloud: the plan's critical path ({plan.CriticalPath.Duration.TotalMinutes:F1} min) and the earliest-start simulation ({simulated.TotalMinutes:F1} min) disagree");
        }

        return new MakespanResult(sequential, plan.CriticalPath.Duration, simulated, plan.CriticalPath, agrees);
    }

    /// <summary>
    /// An event-driven run of the plan with unlimited parallelism, written from the plan's data
    /// alone (not from its critical path), the way DeployPipelineBuilder lays the pipeline out: a
    /// service starts once everything it waits for has finished; members of a group all wait for
    /// what any member waits for outside the group, so they start together, and each then takes
    /// its own duration. Returns when the last service finishes.
    /// </summary>
    private static TimeSpan Simulate(DeployPlan plan)
    {
        var byName = plan.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var waits = plan.Services.ToDictionary(
            s => s.Name,
            s => s.Group is null
                ? s.DependsOn.ToHashSet(StringComparer.Ordinal)
                : plan.Services.Where(m => m.Group == s.Group).SelectMany(m => m.DependsOn).Where(d => byName[d].Group != s.Group).ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);
        var finished = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var started = new HashSet<string>(StringComparer.Ordinal);
        var running = new PriorityQueue<string, TimeSpan>();
        var now = TimeSpan.Zero;
        while (finished.Count < byName.Count)
        {
            foreach (var service in plan.Services.Where(s => !started.Contains(s.Name) && waits[s.Name].All(finished.ContainsKey)))
            {
                started.Add(service.Name);
                running.Enqueue(service.Name, now + (service.Run ? service.EstimatedDuration : TimeSpan.Zero));
            }

            if (!running.TryDequeue(out var done, out var at))
            {
                throw new InvalidOperationException($"the plan deadlocks: {string.Join(", ", byName.Keys.Except(started))} wait for each other");
            }

            now = at;
            finished[done] = at;
        }

        return finished.Values.DefaultIfEmpty(TimeSpan.Zero).Max();
    }

    private static void PrintTable(int sites, int services, ScaleResult scale, MakespanResult makespan)
    {
        var warm = scale.WarmMs.Order().ToList();
        var git = scale.GitMs.Order().ToList();
        var gitIterations = git.Count == scale.GitIterationsAsked ? $"{git.Count}" : $"{git.Count} of {scale.GitIterationsAsked}";
        Console.WriteLine();
        Console.WriteLine($"| cloud: {sites:N0} sites × {services} services | value |");
        Console.WriteLine("| --- | --- |");
        Console.WriteLine($"| cold first iteration (fresh process: JIT, chart parsing) | {scale.ColdMs:F0} ms (first site {scale.ColdFirstSiteMs:F0} ms) |");
        Console.WriteLine($"| chart parsing alone ({services} charts, JIT warm) | {scale.ChartParseMs:F0} ms |");
        Console.WriteLine($"| working tree, all sites: median / min ({warm.Count} iterations) | {Median(warm):F0} / {warm[0]:F0} ms |");
        Console.WriteLine($"| working tree, per site: median / min | {Median(warm) / sites:F2} / {warm[0] / sites:F2} ms |");
        Console.WriteLine($"| working tree, GC allocated per iteration | {scale.AllocatedMbPerIteration:F0} MB |");
        Console.WriteLine($"| HEAD~1..HEAD, all sites: first / median / min ({gitIterations} iterations) | {scale.GitColdMs:F0} / {Median(git):F0} / {git[0]:F0} ms |");
        Console.WriteLine($"| HEAD~1..HEAD, per site: median / min | {Median(git) / sites:F2} / {git[0] / sites:F2} ms |");
        Console.WriteLine($"| HEAD~1..HEAD, services that ran | {scale.ServicesRan} in {scale.SitesRan} sites (expected {ChangedService} in the {scale.SitesInRegion} sites of {ChangedRegion}: {(scale.RanAsExpected ? "yes" : "NO")}) |");
        Console.WriteLine($"| peak working set: after working tree / at the end | {scale.PeakAfterWorkingTreeMb:F0} / {scale.PeakMb:F0} MB |");
        Console.WriteLine($"| GC heap at the end | {scale.HeapAfterMb:F0} MB |");
        PrintBatches(scale.Batches);
        Console.WriteLine($"| warnings per site (first site) | {scale.Warnings} |");
        Console.WriteLine();
        Console.WriteLine("| compute kit (14 services) | minutes |");
        Console.WriteLine("| --- | --- |");
        Console.WriteLine($"| sequential, gate order ({string.Join(", ", ComputeKit.Select(k => k.Service))}) | {makespan.Sequential.TotalMinutes:F0} |");
        Console.WriteLine($"| plan: CriticalPath.Duration ({string.Join(" → ", makespan.Path.Services)}) | {makespan.Planned.TotalMinutes:F0} |");
        Console.WriteLine($"| plan: earliest-start simulation | {makespan.Simulated.TotalMinutes:F0} ({(makespan.Agrees ? "agrees" : "DISAGREES")}) |");
        Console.WriteLine($"| ratio sequential / plan | **{makespan.Sequential / makespan.Planned:F2}x** |");
    }

    private static void PrintBatches(List<BatchResult> batches)
    {
        foreach (var batch in batches)
        {
            var times = batch.Ms.Order().ToList();
            var alone = Median([.. batch.PerSiteMs.Order()]);
            Console.WriteLine($"| batch planner (PlanSites), {batch.Sites:N0} sites HEAD~1..HEAD: median / min ({times.Count} iterations) | **{Median(times):F0}** / {times[0]:F0} ms = {Median(times) / batch.Sites:F2} ms per site, process CPU median {Median([.. batch.CpuMs.Order()]):F0} ms; per-site planning of the same sites (interleaved) {alone:F0} ms, **{alone / Median(times):F1}x**; plans equal: {(batch.SameAsPerSite ? "yes" : "NO")} |");
        }
    }

    private static double PeakWorkingSetMb()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.PeakWorkingSet64 / 1024.0 / 1024.0;
    }

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
