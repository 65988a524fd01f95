namespace Mets.Local.Testing;

/// <summary>Waits on a condition read from outside (over HTTP, from the data folder) with a short pause between reads.</summary>
public static class Eventually
{
    /// <summary>Waits until <paramref name="condition"/> holds, checking again after each short pause (100 ms unless
    /// <paramref name="pause"/> says otherwise); fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T?>> condition, TimeSpan timeout, string what, Func<string>? diagnostics = null, TimeSpan? pause = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            if (await condition().ConfigureAwait(false) is { } value)
            {
                return value;
            }

            try
            {
                await Task.Delay(pause ?? TimeSpan.FromMilliseconds(100), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}.{(diagnostics is null ? string.Empty : "\n" + diagnostics())}");
            }
        }
    }
}
