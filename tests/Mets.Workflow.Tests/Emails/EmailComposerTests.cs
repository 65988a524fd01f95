using Mets.Domain.Closure;
using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Workflow.Emails;

namespace Mets.Workflow.Tests.Emails;

public class EmailComposerTests
{
    [Theory]
    [InlineData(EmailKind.ProviderCollaborationRequest)]
    [InlineData(EmailKind.ProviderReminder)]
    [InlineData(EmailKind.ClosureSummary)]
    public void ProviderEmails_CarryTheLinkButNoEngagementOrMemberReference(EmailKind kind)
    {
        var engagement = EngagementId.New(Guid.NewGuid());
        var link = new Uri("https://mets.plan.example/provider-responses/token123");
        var (subject, body) = EmailComposer.Compose(kind, engagement, StepReference.Assessment, DateTimeOffset.UnixEpoch, 2, ClosureReason.GoalsMet, link, DateTimeOffset.UnixEpoch);
        Assert.DoesNotContain(engagement.Value, subject + body, StringComparison.Ordinal);
        Assert.DoesNotContain("member id", subject + body, StringComparison.OrdinalIgnoreCase);
        if (kind != EmailKind.ClosureSummary)
        {
            Assert.Contains(link.ToString(), body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryKind_HasASubjectAndBody()
    {
        foreach (var kind in Enum.GetValues<EmailKind>())
        {
            var (subject, body) = EmailComposer.Compose(kind, EngagementId.New(Guid.NewGuid()), StepReference.Review(2), DateTimeOffset.UnixEpoch, 1, null, new Uri("https://x.example/t"), DateTimeOffset.UnixEpoch);
            Assert.StartsWith("METS", subject.Replace("Reminder: ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(body));
        }
    }

    [Theory]
    [InlineData(ProviderResponse.WillCollaborate, "Thank you for your collaboration.")]
    [InlineData(ProviderResponse.DeclinedToCollaborate, "Thank you for your response.")]
    [InlineData(ProviderResponse.NotTreatingMember, "Thank you for your response.")]
    [InlineData(null, "No response to our collaboration request was recorded")]
    public void ClosureSummary_ThanksForCollaborationOnlyAProviderWhoCollaborated(ProviderResponse? response, string expected)
    {
        var (_, body) = EmailComposer.Compose(EmailKind.ClosureSummary, EngagementId.New(Guid.NewGuid()), null, null, 0, ClosureReason.GoalsMet, null, null, response);

        Assert.Contains(expected, body, StringComparison.Ordinal);
        if (response != ProviderResponse.WillCollaborate)
        {
            Assert.DoesNotContain("collaboration.", body, StringComparison.Ordinal);
        }
    }
}
