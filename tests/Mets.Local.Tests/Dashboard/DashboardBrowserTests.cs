using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Mets.Local.Tests.Hosting;
using Mets.Workflow.Tests.Reports;
using OpenQA.Selenium;
using OpenQA.Selenium.Interactions;
using OpenQA.Selenium.Support.UI;
using Xunit.Abstractions;

namespace Mets.Local.Tests.Dashboard;

/// <summary>
/// The supervisors' dashboard in real headless Chromium (the Debian packages, through Selenium WebDriver) against the
/// built local host started on a data folder seeded with the report scenario: the page loads without console errors,
/// every figure it shows equals the report API's for the same data, the keyboard reaches every control, and a
/// screenshot is saved under .test-results (its path is printed).
/// </summary>
[Collection(HostProcessGroup.Name)]
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private const string Period = "from=2026-03-01&to=2026-04-30";

    [ChromiumFact]
    public async Task Dashboard_InHeadlessChromium_ShowsTheApisFigures_KeyboardReachesEveryControl_NoConsoleErrors()
    {
        var folder = Directory.CreateTempSubdirectory("mets-dashboard-").FullName;
        await (await OutcomeScenario.CreateAsync(folder)).DisposeAsync();
        await using var host = await LocalHostProcess.StartAsync(folder, new Dictionary<string, string>
        {
            // Everything visible, so that the comparison covers real numbers (suppression has its own tests).
            ["Mets__Reports__MinimumCellCount"] = "1",
            ["Mets__Reports__PrePostMonths"] = "3",
            ["Mets__Reports__DifferenceInDifferencesMinimumMembers"] = "2",
        });
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("x-functions-key", host.ApiKey);
        using var browser = HeadlessChromium.Start();
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(60));

        // The page itself is anonymous (it holds no data); every figure needs the key, which the page sends as a header.
        using (var anonymous = host.CreateClient())
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/api/reports/outcomes?" + Period, UriKind.Relative))).StatusCode);
        }

        browser.Navigate().GoToUrl(new Uri(host.BaseAddress, "/dashboard?" + Period));
        Assert.Equal("METS supervisors' dashboard", browser.Title);
        browser.FindElement(By.CssSelector("#credential-kind option[value='key']")).Click();
        browser.FindElement(By.Id("credential-value")).SendKeys(host.ApiKey);
        browser.FindElement(By.Id("sign-in")).Click();

        // Seeded open engagements get their orchestrations back at start (repair), which may still add reminders and
        // escalations for a moment: the page is compared with the API read just before and just after it loaded.
        Dictionary<string, string> shown = [];
        JsonElement report = default;
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var before = await ReportAsync(api);
            browser.FindElement(By.Id("load")).Click();
            wait.Until(d => ((string?)((IJavaScriptExecutor)d).ExecuteScript("return document.getElementById('load-status').textContent"))?.StartsWith("Showing", StringComparison.Ordinal) == true);
            shown = browser.FindElements(By.CssSelector("td[data-key]"))
                .Where(cell => cell.GetAttribute("data-key") is { Length: > 0 } key && !key.StartsWith("open.", StringComparison.Ordinal) && key != "did.threshold")
                .GroupBy(cell => cell.GetAttribute("data-key")!)
                .ToDictionary(g => g.Key, g => g.Select(c => c.Text).Distinct().Single());
            var after = await ReportAsync(api);
            if (Figures(before).SequenceEqual(Figures(after)))
            {
                report = after;
                break;
            }
        }

        Assert.NotEqual(JsonValueKind.Undefined, report.ValueKind);
        var figures = Figures(report).ToDictionary(f => f.Key, f => f.Text);
        figures["did.engagedMembers"] = Text(report.GetProperty("differenceInDifferences").GetProperty("engagedMembers"));
        figures["did.comparisonMembers"] = Text(report.GetProperty("differenceInDifferences").GetProperty("comparisonMembers"));
        Assert.True(shown.Count >= 100, $"the page showed {shown.Count} figures");
        var differing = shown.Where(s => !figures.TryGetValue(s.Key, out var expected) || expected != s.Value)
            .Select(s => $"{s.Key}: page {s.Value}, API {(figures.TryGetValue(s.Key, out var e) ? e : "none")}").ToList();
        Assert.True(differing.Count == 0, string.Join("\n", differing));
        // The hand-worked scenario's figures reach the page (spot checks; all of them are in Mets.Workflow.Tests).
        Assert.Equal("5", shown["funnel.engagements"]);
        Assert.Equal("2700", shown["utilization.engaged.estimatedSavings.bh"]);

        // The supervisor view: the open engagements by step come from /api/engagements.
        var open = JsonDocument.Parse(await api.GetStringAsync(new Uri("/api/engagements", UriKind.Relative))).RootElement.EnumerateArray().ToList();
        foreach (var step in new[] { "assessment", "review" })
        {
            var cell = browser.FindElement(By.CssSelector($"td[data-key='open.{step}']"));
            Assert.Equal(open.Count(e => e.GetProperty("step").GetString() == step).ToString(System.Globalization.CultureInfo.InvariantCulture), cell.Text);
        }

        // No member data anywhere on the page (member numbers and ids, the birth date, diagnosis codes, provider names,
        // referral ids of the scenario).
        var source = browser.PageSource;
        Assert.All(Sentinels, sentinel => Assert.DoesNotContain(sentinel, source, StringComparison.OrdinalIgnoreCase));

        // Laptop width: nothing wider than the window (no sideways scrolling).
        var overflow = (string)((IJavaScriptExecutor)browser).ExecuteScript(
            "const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')]" +
            ".filter(e => e.getBoundingClientRect().right > w + 1).slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join('; ')")!;
        Assert.True(overflow.Length == 0, "wider than the window: " + overflow);

        // Keyboard: Tab from the top reaches every control (links, buttons, inputs, selects) in turn.
        var controls = (IReadOnlyCollection<object>)((IJavaScriptExecutor)browser).ExecuteScript(
            "return [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]:not([tabindex=\"-1\"])')]" +
            ".filter(e => !e.disabled && e.getClientRects().length > 0 || e.classList.contains('skip')).map(e => e.id || e.className || e.textContent.trim())")!;
        var expectedControls = controls.Select(c => (string)c).ToHashSet(StringComparer.Ordinal);
        Assert.True(expectedControls.Count >= 8, $"the page has {expectedControls.Count} controls");
        ((IJavaScriptExecutor)browser).ExecuteScript("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);");
        var reached = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < expectedControls.Count * 3 && !expectedControls.IsSubsetOf(reached); i++)
        {
            new Actions(browser).SendKeys(OpenQA.Selenium.Keys.Tab).Perform();
            reached.Add((string)((IJavaScriptExecutor)browser).ExecuteScript(
                "const e = document.activeElement; return e ? (e.id || e.className || e.textContent.trim()) : ''")!);
        }

        Assert.True(expectedControls.IsSubsetOf(reached), "Tab never reached: " + string.Join(", ", expectedControls.Except(reached)));

        // No console errors (a blocked resource, a script error or a CSP violation would show here).
        var errors = browser.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Severe).Select(e => e.Message).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));

        // The whole page in one picture: the window as tall as the page.
        var height = Convert.ToInt32(((IJavaScriptExecutor)browser).ExecuteScript("return document.documentElement.scrollHeight"), System.Globalization.CultureInfo.InvariantCulture);
        browser.Manage().Window.Size = new System.Drawing.Size(1366, Math.Min(height + 120, 16000));
        var screenshot = Path.Combine(ResultsFolder(), "dashboard.png");
        ((ITakesScreenshot)browser).GetScreenshot().SaveAsFile(screenshot);
        output.WriteLine("Dashboard screenshot: " + screenshot);
        Console.WriteLine("Dashboard screenshot: " + screenshot);
        Assert.True(new FileInfo(screenshot).Length > 10_000);
    }

    /// <summary>Member data of the seeded scenario that no report, page, email or log may show.</summary>
    private static readonly string[] Sentinels = ["M1001", "M1002", "M1003", "M1004", "M1005", "PLAN:M10", "1980-01-01", "F33.1", "F20.0", "F32.2", "Provider 1", "Provider 2", "REF-E", "claims-e"];

    [Fact]
    public async Task ProviderFeedbackPage_SignedLinkAnonymous_ShowsTheScorecardApisFigures_NoMemberData_TokenNotLogged()
    {
        var folder = Directory.CreateTempSubdirectory("mets-feedback-page-").FullName;
        await (await OutcomeScenario.CreateAsync(folder)).DisposeAsync();
        await using var host = await LocalHostProcess.StartAsync(folder, new Dictionary<string, string> { ["Mets__Reports__MinimumCellCount"] = "1" });
        using var api = host.CreateClient();
        api.DefaultRequestHeaders.Add("x-functions-key", host.ApiKey);
        using var anonymous = host.CreateClient();

        // A link as the feedback email carries it, signed with the host's generated link key.
        var keys = new Mets.Workflow.Links.ProviderLinkOptions { BaseUrl = new Uri(host.BaseAddress, "/api/provider-responses").ToString(), ActiveKeyId = "local" };
        keys.Keys["local"] = (await File.ReadAllTextAsync(Path.Combine(folder, "keys", "links.key"))).Trim();
        var signer = new Mets.Workflow.Reports.Feedback.ScorecardLinkSigner(
            Microsoft.Extensions.Options.Options.Create(keys), Microsoft.Extensions.Options.Options.Create(new Mets.Workflow.Reports.Feedback.ProviderFeedbackOptions()), TimeProvider.System);
        var link = signer.CreateLink(OutcomeScenario.ProviderOne, OutcomeScenario.From, OutcomeScenario.To, DateTimeOffset.UtcNow);
        var token = link.Segments[^1];

        using var page = await anonymous.GetAsync(link);
        var html = await page.Content.ReadAsStringAsync();
        var card = JsonDocument.Parse(await api.GetStringAsync(new Uri($"/api/reports/providers/{OutcomeScenario.ProviderOne}?" + Period, UriKind.Relative))).RootElement;
        using var forged = await anonymous.GetAsync(new Uri(host.BaseAddress, "/api/provider-feedback/" + token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1]));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
        foreach (var figure in card.GetProperty("sections").EnumerateArray().SelectMany(s => s.GetProperty("figures").EnumerateArray()))
        {
            var key = figure.GetProperty("key").GetString()!;
            var cell = System.Text.RegularExpressions.Regex.Match(html, $"data-key=\"{System.Text.RegularExpressions.Regex.Escape(key)}\">([^<]*)<");
            Assert.True(cell.Success, $"the page has no {key}");
            // The page formats numbers for people ($8,000.00, 50 %, 100th percentile): compared as numbers.
            var display = figure.GetProperty("display").GetString();
            var text = cell.Groups[1].Value;
            var number = System.Text.RegularExpressions.Regex.Match(text, @"-?[0-9][0-9,]*(\.[0-9]+)?");
            Assert.True(figure.GetProperty("suppressed").GetBoolean() ? text.Contains("suppressed", StringComparison.Ordinal)
                : string.IsNullOrEmpty(display) ? text == "not available"
                : number.Success && decimal.Parse(number.Value.Replace(",", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) == figure.GetProperty("value").GetDecimal(),
                $"{key}: page {text}, API {display}");
        }

        Assert.Contains("data-key=\"scorecard.members\">2<", html, StringComparison.Ordinal);
        Assert.All(Sentinels, sentinel => Assert.DoesNotContain(sentinel, html, StringComparison.OrdinalIgnoreCase));
        Assert.All(Sentinels, sentinel => Assert.DoesNotContain(sentinel, card.GetRawText(), StringComparison.OrdinalIgnoreCase));
        await host.StopAsync(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(token, host.Output, StringComparison.Ordinal);
        Assert.All(Sentinels, sentinel => Assert.DoesNotContain(sentinel, host.Output, StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<JsonElement> ReportAsync(HttpClient api)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/reports/outcomes?" + Period, UriKind.Relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await api.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static IEnumerable<(string Key, string Text)> Figures(JsonElement report) =>
        report.GetProperty("sections").EnumerateArray().SelectMany(s => s.GetProperty("figures").EnumerateArray())
            .Select(f => (f.GetProperty("key").GetString()!, Text(f)));

    /// <summary>What the page must show for a figure: the API's display text, "suppressed", or "n/a" when there is none.</summary>
    private static string Text(JsonElement figure) =>
        figure.GetProperty("suppressed").GetBoolean() ? "suppressed"
        : figure.GetProperty("display").GetString() is { Length: > 0 } display ? display
        : "n/a";

    /// <summary>The repository's .test-results folder (test.sh's results directory), else the test's own folder.</summary>
    private static string ResultsFolder()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Serverless.sln")))
        {
            folder = folder.Parent;
        }

        var results = folder is null ? AppContext.BaseDirectory : Path.Combine(folder.FullName, ".test-results");
        Directory.CreateDirectory(results);
        return results;
    }
}
