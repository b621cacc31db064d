using Microsoft.Playwright;

namespace Mothership.IntegrationTests.Dashboard;

/// <summary>
/// One headless Chromium for the tests of a class: Debian's <c>chromium</c> package at
/// <c>/usr/bin/chromium</c>, driven by Playwright's driver that ships inside the NuGet package.
/// Playwright never downloads a browser here (no <c>playwright install</c>). Without Chromium
/// the tests follow <see cref="Prerequisites"/>: skipped, or failed on CI, where <c>.ci/run</c> installs it.
/// </summary>
public sealed class SharedBrowser : IAsyncDisposable
{
    /// <summary>
    /// The browser: <c>MOTHERSHIP_CHROMIUM</c> when set (another build, or a missing path to check
    /// what these tests do without one), else Debian's <c>/usr/bin/chromium</c>.
    /// </summary>
    public static string Chromium =>
        Environment.GetEnvironmentVariable("MOTHERSHIP_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task<IBrowser> GetAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Chromium))
        {
            Prerequisites.Missing($"Chromium not found at {Chromium} (apt-get install chromium, or set MOTHERSHIP_CHROMIUM)", ".ci/run should have installed it");
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            _playwright ??= await Playwright.CreateAsync();
            return _browser ??= await _playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        _gate.Dispose();
    }
}
