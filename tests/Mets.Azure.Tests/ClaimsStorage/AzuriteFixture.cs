using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Mets.Azure.Tests.ClaimsStorage;

/// <summary>
/// A real Azurite blob service (the npm package installed by ./test.sh into node_modules at the repository
/// root, found by walking up to Serverless.sln), in memory, on a free loopback port chosen by Azurite
/// itself (--blobPort 0). Start-up is awaited by reading its "successfully listens on" line; it is killed
/// when the test class is done.
/// </summary>
public sealed partial class AzuriteFixture : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private Process? _process;

    /// <summary>The well-known Azurite development account key (public, documented; not a secret).</summary>
    private const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public string ConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var azurite = Path.Combine(RepositoryRoot(), "node_modules", ".bin", "azurite-blob");
        if (!File.Exists(azurite))
        {
            throw new InvalidOperationException($"Azurite is not installed at {azurite}: run `npm ci` at the repository root (./test.sh does).");
        }

        var start = new ProcessStartInfo(azurite)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in new[] { "--blobHost", "127.0.0.1", "--blobPort", "0", "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck", "--silent" })
        {
            start.ArgumentList.Add(argument);
        }

        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && ListeningLine().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(match.Groups["url"].Value);
            }
        };
        _process.ErrorDataReceived += (_, e) => { };
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"Azurite exited with code {_process.ExitCode} before listening."));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var url = await listening.Task.WaitAsync(StartTimeout);
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentAccountKey};BlobEndpoint={url}/devstoreaccount1;";
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public void Dispose() => _process?.Dispose();

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Serverless.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Serverless.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"successfully listens on (?<url>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();
}
