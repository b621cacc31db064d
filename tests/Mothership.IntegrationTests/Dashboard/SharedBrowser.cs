using Microsoft.Playwright;

namespace Mothership.IntegrationTests.Dashboard;

/// <summary>
/// One headless Chromium for the tests of a class: Debian's <c>chromium</c> package at
/// <c>/usr/bin/chromium</c>, driven by Playwright's driver that ships inside the NuGet package.
/// Playwright never downloads a browser here (no <c>playwright install</c>). Without Chromium
/// the tests skip, or fail on CI (<c>CI=true</c>), where <c>.ci/run</c> installs it.
/// </summary>
public sealed class SharedBrowser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task<IBrowser> GetAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Chromium))
        {
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                Assert.Fail($"{Chromium} is missing on CI: .ci/run should have installed it (apt-get install chromium)");
            }

            Assert.Skip("chromium not installed (apt-get install chromium)");
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
