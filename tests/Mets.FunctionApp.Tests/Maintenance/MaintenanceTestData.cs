using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.FunctionApp.Tests.Durable;
using Mets.Workflow.Application;
using Mets.Workflow.Cases;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.FunctionApp.Tests.Maintenance;

/// <summary>Referrals and cases for the maintenance tests (synthetic members and providers, no real data).</summary>
internal static class MaintenanceTestData
{
    public static Referral Referral(string id, string member, DateTimeOffset at, bool withProvider = false) => new(
        ReferralId.Parse(id),
        MemberId.Create("PLAN", member),
        ReferralSource.UtilizationManagement,
        ReferralReason.HighBehavioralHealthUtilization,
        null,
        [IcdCode.Parse("F33.1")],
        ReferralUrgency.Routine,
        false,
        ConsentToShareSubstanceUseInformation: false,
        withProvider ? [new TreatingProvider("Synthetic Clinic", Npi.Parse("1234567893"), Email.Parse("clinic@provider.example"), ProviderRole.BehavioralHealth)] : [],
        at);

    /// <summary>A referral submitted through the app's EngagementService (the invocation's client schedules its instance).</summary>
    public static async Task<EngagementId> SubmitAsync(FunctionAppHost app, DurableTaskClient client, string referralId, string member, DateTimeOffset at, bool withProvider = false)
    {
        await using var invocation = app.Invoke(client);
        var result = await invocation.Services.GetRequiredService<EngagementService>().SubmitReferralAsync(Referral(referralId, member, at, withProvider));
        return result.EngagementId ?? throw new InvalidOperationException(string.Join("; ", result.Errors));
    }

    /// <summary>Starts and closes the case at <paramref name="closedAt"/>, as the orchestration's activities would.</summary>
    public static async Task CloseAsync(ICaseStore store, EngagementId id, DateTimeOffset closedAt)
    {
        var found = (await store.GetAsync(id))!;
        var started = found.Start(StaffId.Parse("clin.reyes"), closedAt.AddDays(-20), closedAt.AddDays(150), closedAt.AddDays(-30));
        foreach (var provider in found.TreatingProviders)
        {
            var outreach = ProviderOutreach.Start(OutreachId.For(id, provider.Npi), provider.Role, closedAt.AddDays(-25));
            started = started.RecordOutreach(outreach, TimelineEntryKind.OutreachStarted, Actor.System, closedAt.AddDays(-25));
        }

        Assert.Equal(CaseSaveOutcome.Saved, (await store.SaveAsync(started, $"{id}:test-start")).Outcome);
        var closed = (await store.GetAsync(id))!.Close(ClosureReason.GoalsMet, Actor.System, closedAt);
        Assert.Equal(CaseSaveOutcome.Saved, (await store.SaveAsync(closed, $"{id}:test-close")).Outcome);
    }
}
