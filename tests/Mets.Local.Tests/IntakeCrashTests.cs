using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Mets.Local.Tests.Hosting;
using static Mets.Local.Tests.Hosting.MetsClient;

namespace Mets.Local.Tests;

/// <summary>
/// A burst of referrals (16 in flight, as the intake benchmark sends them) with the host SIGKILLed in the middle of it.
/// A 202 is sent only after the referral and its engagement are committed (the case database's group commit answers
/// after its transaction), so after a restart on the same data folder every referral answered 202 has its engagement
/// and reaches the assessment step; sending any referral of the burst again answers 202 with the engagement it has,
/// so no referral is lost or doubled whether or not its answer arrived before the kill.
/// </summary>
[Collection(HostProcessGroup.Name)]
public class IntakeCrashTests
{
    private const int Concurrency = 16;
    private const int Referrals = 400;
    private const int KillAfterAccepted = 150;

    [Fact]
    public async Task KillMidBurst_RestartOnSameDataFolder_EveryAcceptedReferralHasItsEngagement()
    {
        var run = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var accepted = new ConcurrentDictionary<int, string>(); // referral index -> engagement id from the 202
        var unanswered = 0;
        var sent = -1;
        string dataFolder;
        await using (var first = await LocalHostProcess.StartAsync())
        {
            dataFolder = first.DataFolder;
            using var client = first.CreateClient();
            var key = first.ApiKey;
            var killMoment = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var killSent = false;
            var workers = Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
            {
                // Each worker sends until the kill cuts it off: the burst is still going when the kill comes.
                int index;
                while ((index = Interlocked.Increment(ref sent)) < Referrals)
                {
                    try
                    {
                        var (status, body, _) = await PostJsonAsync(client, "/api/referrals", key, Referral(run, index));
                        Assert.Equal(HttpStatusCode.Accepted, status);
                        accepted[index] = body.GetProperty("id").GetString()!;
                        if (accepted.Count >= KillAfterAccepted)
                        {
                            killMoment.TrySetResult();
                        }
                    }
                    catch (Exception e) when (Volatile.Read(ref killSent) && e is HttpRequestException or IOException or TaskCanceledException)
                    {
                        Interlocked.Increment(ref unanswered); // cut off by the kill (or sent after it): no answer, so no promise
                        return;
                    }
                }
            })).ToList();

            await killMoment.Task.WaitAsync(TimeSpan.FromMinutes(2));
            Volatile.Write(ref killSent, true);
            await first.KillAsync();
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(1));
        }

        var attempted = Math.Min(Volatile.Read(ref sent) + 1, Referrals); // indexes 0..sent were each sent once
        Assert.True(unanswered > 0 && attempted < Referrals, $"the kill came after the burst: {attempted} sent, {accepted.Count} accepted, {unanswered} without an answer");

        await using var second = await LocalHostProcess.StartAsync(dataFolder);
        using var again = second.CreateClient();
        var apiKey = second.ApiKey;

        // Every 202 before the kill named an engagement that survived it, with the referral on it.
        foreach (var (index, id) in accepted)
        {
            var engagement = await GetJsonAsync(again, $"/api/engagements/{id}", apiKey);
            Assert.Contains(engagement.GetProperty("referrals").EnumerateArray(), r => r.GetProperty("id").GetString() == ReferralId(run, index));
        }

        // Each referral of the burst again: the same engagement for the accepted ones, one engagement each for all.
        var engagements = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < attempted; index++)
        {
            var (status, body, _) = await PostJsonAsync(again, "/api/referrals", apiKey, Referral(run, index));
            Assert.Equal(HttpStatusCode.Accepted, status);
            var id = body.GetProperty("id").GetString()!;
            if (accepted.TryGetValue(index, out var first))
            {
                Assert.Equal(first, id);
            }

            Assert.True(engagements.Add(id), $"referral {index} answered an engagement another referral has");
        }

        // The engine (repaired at start-up where a kill came between the case and its instance) takes each to the assessment step.
        await WaitForAsync<JsonElement?>(async () =>
        {
            var open = await GetJsonAsync(again, "/api/engagements?status=open", apiKey);
            var atAssessment = open.EnumerateArray().Where(e => e.GetProperty("step").GetString() == "assessment").Select(e => e.GetProperty("id").GetString()!).ToHashSet();
            return engagements.IsSubsetOf(atAssessment) ? open : null;
        }, TimeSpan.FromMinutes(2), $"all {engagements.Count} engagements at the assessment step ({accepted.Count} accepted before the kill, {unanswered} cut off)", () => second.Output);
    }

    private static string ReferralId(string run, int index) => $"REF-CRASH-{run}-{index:D4}";

    private static string Referral(string run, int index) =>
        EngagementLifecycleTests.Referral(ReferralId(run, index), $"PLAN:CR{run}{index:D4}");
}
