using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace Mets.Local.Tests.Dashboard;

/// <summary>
/// The Debian packages <c>chromium</c> and <c>chromium-driver</c> (or the binaries named by <c>METS_CHROMIUM</c> and
/// <c>METS_CHROMEDRIVER</c>), driven headless through Selenium WebDriver. Nothing is ever downloaded: the driver and
/// the browser are given by path, so Selenium Manager never runs. Where they are missing, <see cref="MissingReason"/>
/// says in one line what to install and the browser tests are skipped with that reason.
/// </summary>
internal static class HeadlessChromium
{
    public static string? Browser => Find("METS_CHROMIUM", "chromium", "chromium-browser", "google-chrome");

    public static string? Driver => Find("METS_CHROMEDRIVER", "chromedriver");

    public static string? MissingReason =>
        Browser is not null && Driver is not null
            ? null
            : "Headless Chromium is not installed: install the Debian packages chromium and chromium-driver (apt-get install chromium chromium-driver; ./test.sh does it where apt-get is usable), or set METS_CHROMIUM and METS_CHROMEDRIVER.";

    /// <summary>A headless Chromium at laptop size (1366 x 768) with the browser console log kept.</summary>
    public static ChromeDriver Start()
    {
        var driverPath = Driver ?? throw new InvalidOperationException(MissingReason);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driverPath)!, Path.GetFileName(driverPath));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Browser! };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1366,768",
            "--user-data-dir=" + Directory.CreateTempSubdirectory("mets-chromium-").FullName);
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    private static string? Find(string variable, params string[] names)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } given)
        {
            return File.Exists(given) ? given : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return names
            .SelectMany(name => path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(folder => Path.Combine(folder, name)))
            .FirstOrDefault(File.Exists);
    }
}

/// <summary>A test that needs headless Chromium: skipped, with <see cref="HeadlessChromium.MissingReason"/>, where it is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.MissingReason is { } reason)
        {
            Skip = reason;
        }
    }
}
