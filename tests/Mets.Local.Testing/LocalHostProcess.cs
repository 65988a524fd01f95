using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace Mets.Local.Testing;

/// <summary>
/// Starts the built Mets.Local program (never `dotnet run`: the process is the host itself, so a kill
/// is a kill of the host) as a child process on a free loopback port (or the port given, to restart on
/// the same address) with its own temporary data folder, and stops it again. Output is kept for diagnostics.
/// </summary>
public sealed class LocalHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    private LocalHostProcess(Process process, Uri baseAddress, string dataFolder)
    {
        _process = process;
        BaseAddress = baseAddress;
        DataFolder = dataFolder;
    }

    public Uri BaseAddress { get; }

    public string DataFolder { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="hostDll">Another build of Mets.Local.dll to start (a benchmark's baseline); this repository's build when null.</param>
    public static async Task<LocalHostProcess> StartAsync(string? dataFolder = null, IDictionary<string, string>? settings = null, int? port = null, string? hostDll = null)
    {
        var host = Launch(dataFolder, settings, port, hostDll);
        await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        return host;
    }

    /// <summary>Starts the host with settings it should refuse, and waits for it to exit.</summary>
    public static async Task<(int ExitCode, string Output)> RunUntilExitAsync(IDictionary<string, string> settings, TimeSpan timeout)
    {
        var host = Launch(dataFolder: null, settings, port: null, hostDll: null);
        await using (host.ConfigureAwait(false))
        {
            using var deadline = new CancellationTokenSource(timeout);
            await host._process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            return (host._process.ExitCode, host.Output);
        }
    }

    private static LocalHostProcess Launch(string? dataFolder, IDictionary<string, string>? settings, int? port, string? hostDll)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{port ?? FreeLoopbackPort()}");
        dataFolder ??= Directory.CreateTempSubdirectory("mets-local-").FullName;
        hostDll = hostDll is null ? LocateBuiltHost()
            : File.Exists(hostDll) ? Path.GetFullPath(hostDll) : throw new FileNotFoundException("No host program at this path.", hostDll);

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(hostDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(hostDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString());
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Mets__DataFolder"] = dataFolder;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the local host.");
        var host = new LocalHostProcess(process, baseAddress, dataFolder);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>The API key the host generated in its data folder.</summary>
    public string ApiKey => File.ReadAllText(Path.Combine(DataFolder, "keys", "api.key")).Trim();

    /// <summary>The admin key the host generated in its data folder.</summary>
    public string AdminKey => File.ReadAllText(Path.Combine(DataFolder, "keys", "admin.key")).Trim();

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>The host's own process id (the program runs in the <c>dotnet</c> process itself).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Asks the host to stop (SIGTERM, as a service manager or Ctrl+C would) and waits for it to exit.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().ConfigureAwait(false);
        }

        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Kills the process at once (SIGKILL), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var client = CreateClient();
        using var deadline = new CancellationTokenSource(timeout);
        var exited = _process.WaitForExitAsync(deadline.Token);
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(new Uri("/health", UriKind.Relative), deadline.Token).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet: wait for the next connection attempt below.
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"The local host did not become healthy within {timeout}. Output:\n{Output}");
            }

            if (exited.IsCompleted)
            {
                throw new InvalidOperationException($"The local host exited with code {_process.ExitCode}. Output:\n{Output}");
            }

            // Kestrel binds within about a second; retry on the connection refusal rather than a fixed sleep.
            await Task.WhenAny(exited, Task.Delay(50, deadline.Token)).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the output holds <paramref name="text"/>; returns the output then.</summary>
    public async Task<string> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_output.ToString().Contains(text, StringComparison.Ordinal))
            {
                return _output.ToString();
            }

            _waiters.Add((text, seen));
        }

        try
        {
            await seen.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The host did not print \"{text}\" within {timeout}. Output:\n{Output}");
        }

        return Output;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            if (_waiters.Count > 0)
            {
                var text = _output.ToString();
                foreach (var waiter in _waiters.Where(w => text.Contains(w.Text, StringComparison.Ordinal)).ToList())
                {
                    waiter.Seen.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
        }
    }

    /// <summary>A loopback port nobody listens on now.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string LocateBuiltHost()
    {
        var configuration = typeof(LocalHostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Serverless.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException("Could not find the repository root (Serverless.sln) above the test output.");
        }

        var dll = Path.Combine(dir.FullName, "functions", "Mets.Local", "bin", configuration, "net10.0", "Mets.Local.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build Mets.Local before running the host tests.", dll);
    }
}
