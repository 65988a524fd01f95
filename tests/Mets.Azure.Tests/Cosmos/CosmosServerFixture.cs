using System.Diagnostics;
using System.Text.RegularExpressions;
using Mets.Azure.Cosmos;
using Microsoft.Azure.Cosmos;

namespace Mets.Azure.Tests.Cosmos;

/// <summary>
/// A real Cosmos DB REST server for the Cosmos adapters: the npm package @vercel/cosmosdb-server (installed by
/// ./test.sh into node_modules at the repository root), HTTPS with its own certificate, on a free loopback port
/// it picks itself (-p 0). Start-up is awaited by reading its "Ready to accept" line; it is killed when the test
/// class (or collection) is done. State is in memory: every caller takes a fresh database name.
/// </summary>
public sealed partial class CosmosServerFixture : IAsyncLifetime, IDisposable
{
    /// <summary>The Cosmos DB emulator's well-known key (public, documented; not a secret): the test server takes any key.</summary>
    public const string WellKnownKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private Process? _process;
    private int _databases;

    public Uri Endpoint { get; private set; } = new("https://127.0.0.1/");

    public async Task InitializeAsync()
    {
        var cli = Path.Combine(RepositoryRoot(), "node_modules", "@vercel", "cosmosdb-server", "lib", "cli.js");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException($"@vercel/cosmosdb-server is not installed at {cli}: run `npm ci` at the repository root (./test.sh does).");
        }

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in new[] { cli, "-p", "0", "--host", "127.0.0.1" })
        {
            start.ArgumentList.Add(argument);
        }

        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && ReadyLine().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        _process.ErrorDataReceived += (_, e) => { };
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"cosmosdb-server exited with code {_process.ExitCode} before listening."));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var port = await listening.Task.WaitAsync(StartTimeout);
        Endpoint = new Uri($"https://127.0.0.1:{port}/");
    }

    /// <summary>Options for a fresh database on this server (key, certificate accepted, containers created).</summary>
    public CosmosOptions Options(string? database = null) => new()
    {
        Endpoint = Endpoint,
        Database = database ?? $"t{Interlocked.Increment(ref _databases)}-{Guid.NewGuid():N}"[..30],
        Key = WellKnownKey,
        TestServer = true,
        CreateIfNotExists = true,
    };

    /// <summary>A client for this server as the app builds one (<see cref="CosmosOptions.TestServer"/>: its missing-item gap read as 404).</summary>
    public static CosmosClient CreateClient(CosmosOptions options) => CosmosClientFactory.Create(options);

    /// <summary>A client that sees the server's answers as they are.</summary>
    public static CosmosClient CreateRawClient(CosmosOptions options) => CosmosClientFactory.Create(options, CosmosClientFactory.AcceptingHandler);

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

    [GeneratedRegex(@"Ready to accept HTTPS connections at 127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ReadyLine();
}

/// <summary>One Cosmos test server for every Cosmos test class (started once, on its own port).</summary>
[CollectionDefinition(Name)]
public sealed class CosmosServerGroup : ICollectionFixture<CosmosServerFixture>
{
    public const string Name = "Cosmos test server";
}
