namespace Mets.Testing.Fuzzing;

/// <summary>
/// Seeds for the fuzzers (claims files here, HTTP bodies in Mets.Local.Tests, which links this file): case <c>i</c> of a
/// run gets its own <see cref="Random"/>, seeded from the run seed and <c>i</c> by SplitMix64 (stable across runs and
/// platforms, unlike <see cref="HashCode"/>), so any failing case is rebuilt from the two numbers printed with it.
/// </summary>
internal static class FuzzRandom
{
    public static Random For(int runSeed, int index) => new(Seed(runSeed, index));

    public static int Seed(int runSeed, int index)
    {
        var z = unchecked(((ulong)(uint)runSeed << 32) + (ulong)(uint)index + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return unchecked((int)(z ^ (z >> 32)));
    }

    /// <summary>The run seed: <paramref name="variable"/> when set (a number, or <c>random</c> for a new one), else
    /// <paramref name="fixedSeed"/> (the test suite checks the same cases on every run).</summary>
    public static int RunSeed(string variable, int fixedSeed) => Environment.GetEnvironmentVariable(variable) switch
    {
        null or "" => fixedSeed,
        "random" => Random.Shared.Next(),
        var text => int.Parse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>A positive count from <paramref name="variable"/>, else <paramref name="fallback"/>.</summary>
    public static int Count(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : fallback;
}
