using System.Diagnostics;
using Mets.Local.Testing;

namespace Mets.Local.Chaos;

/// <summary>A span of time during which the host answered (from healthy after a start to its kill or stop).</summary>
public sealed record UpWindow(DateTimeOffset From, DateTimeOffset? To);

/// <summary>One SIGKILL of the host: when, its process id, and how long until the restarted host answered again.</summary>
public sealed record KillRecord(int Number, DateTimeOffset At, int ProcessId, TimeSpan Downtime);

/// <summary>
/// The host under chaos: the built Mets.Local program on one data folder and one loopback port, started, SIGKILLed and
/// started again. <see cref="WhenUp"/> is the task a request waits on before it is sent; it is replaced by an
/// unfinished one before each kill, so a request that fails because of the kill waits for the restart. Each host
/// process's output is written to <c>host-NN.log</c> in the run folder.
/// </summary>
public sealed class ChaosHost : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly IDictionary<string, string> _settings;
    private readonly List<UpWindow> _windows = [];
    private readonly List<KillRecord> _kills = [];
    private readonly Action<string> _log;
    private LocalHostProcess? _process;
    private TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _starts;

    public ChaosHost(string runFolder, IReadOnlyDictionary<string, string> settings, Action<string> log)
    {
        RunFolder = runFolder;
        DataFolder = Path.Combine(runFolder, "data");
        Port = LocalHostProcess.FreeLoopbackPort();
        BaseAddress = new Uri($"http://127.0.0.1:{Port}");
        _settings = new Dictionary<string, string>(settings);
        _log = log;
    }

    public string RunFolder { get; }

    public string DataFolder { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public string ApiKey { get; private set; } = string.Empty;

    public string AdminKey { get; private set; } = string.Empty;

    /// <summary>Completes while the host answers; replaced by an unfinished task before each kill.</summary>
    public Task WhenUp
    {
        get
        {
            lock (_gate)
            {
                return _up.Task;
            }
        }
    }

    public IReadOnlyList<UpWindow> UpWindows
    {
        get
        {
            lock (_gate)
            {
                return [.. _windows];
            }
        }
    }

    public IReadOnlyList<KillRecord> Kills
    {
        get
        {
            lock (_gate)
            {
                return [.. _kills];
            }
        }
    }

    /// <summary>True when the host answered throughout [<paramref name="from"/>, <paramref name="to"/>] (no kill in between).</summary>
    public bool UpThroughout(DateTimeOffset from, DateTimeOffset to) =>
        UpWindows.Any(w => w.From <= from && (w.To ?? DateTimeOffset.MaxValue) >= to);

    /// <summary>The folder of each host's output log.</summary>
    public IEnumerable<string> OutputLogs => Directory.EnumerateFiles(RunFolder, "host-*.log").Order(StringComparer.Ordinal);

    public async Task StartAsync()
    {
        Directory.CreateDirectory(DataFolder);
        _process = await StartOnPortAsync();
        ApiKey = _process.ApiKey;
        AdminKey = _process.AdminKey;
        lock (_gate)
        {
            _windows.Add(new UpWindow(DateTimeOffset.UtcNow, null));
            _up.TrySetResult();
        }
    }

    /// <summary>SIGKILLs the host process (the program itself, not a wrapper), then starts it again on the same data folder and port.</summary>
    public async Task<KillRecord> KillAndRestartAsync()
    {
        var process = _process ?? throw new InvalidOperationException("The host is not running.");
        DateTimeOffset at;
        lock (_gate)
        {
            _up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            at = DateTimeOffset.UtcNow;
            _windows[^1] = _windows[^1] with { To = at };
        }

        var pid = process.ProcessId;
        await process.KillAsync();
        await SaveOutputAsync(process);
        await process.DisposeAsync();

        _process = await StartOnPortAsync();
        KillRecord kill;
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            kill = new KillRecord(_kills.Count + 1, at, pid, now - at);
            _kills.Add(kill);
            _windows.Add(new UpWindow(now, null));
            _up.TrySetResult();
        }

        return kill;
    }

    /// <summary>Stops the host gracefully (SIGTERM) and returns its exit code.</summary>
    public async Task<int?> StopAsync()
    {
        var process = _process ?? throw new InvalidOperationException("The host is not running.");
        lock (_gate)
        {
            _up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _windows[^1] = _windows[^1] with { To = DateTimeOffset.UtcNow };
        }

        await process.StopAsync(TimeSpan.FromSeconds(60));
        var exitCode = process.ExitCode;
        await SaveOutputAsync(process);
        await process.DisposeAsync();
        _process = null;
        return exitCode;
    }

    /// <summary>The running host's output so far (diagnostics).</summary>
    public string CurrentOutput => _process?.Output ?? string.Empty;

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            await SaveOutputAsync(process);
            await process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Starts the host on this run's port; a port still held by the killed process's sockets is tried again.</summary>
    private async Task<LocalHostProcess> StartOnPortAsync()
    {
        var watch = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await LocalHostProcess.StartAsync(DataFolder, _settings, Port);
            }
            catch (InvalidOperationException exception) when (attempt < 5 && exception.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                _log($"note: port {Port} still in use {watch.Elapsed.TotalSeconds:F1} s after the kill; starting again");
                await Task.Delay(TimeSpan.FromSeconds(attempt));
            }
        }
    }

    private async Task SaveOutputAsync(LocalHostProcess process)
    {
        var number = Interlocked.Increment(ref _starts);
        await File.WriteAllTextAsync(Path.Combine(RunFolder, $"host-{number:D2}.log"), process.Output);
    }
}
