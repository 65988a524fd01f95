using Mets.Domain.Engagements;

namespace Mets.Domain.Tests.Engagements;

public class ProviderOutreachTests
{
    [Theory]
    [InlineData(ProviderOutreachStatus.Emailed, ProviderOutreachStatus.Reminded, true)]
    [InlineData(ProviderOutreachStatus.Reminded, ProviderOutreachStatus.Reminded, true)] // the next reminder
    [InlineData(ProviderOutreachStatus.Reminded, ProviderOutreachStatus.EscalatedToPeerReview, true)]
    [InlineData(ProviderOutreachStatus.EscalatedToPeerReview, ProviderOutreachStatus.Responded, true)]
    [InlineData(ProviderOutreachStatus.Emailed, ProviderOutreachStatus.StoppedAtClosure, true)]
    [InlineData(ProviderOutreachStatus.Reminded, ProviderOutreachStatus.Emailed, false)] // stale, out of order
    [InlineData(ProviderOutreachStatus.Responded, ProviderOutreachStatus.Reminded, false)] // an ended outreach stays ended
    [InlineData(ProviderOutreachStatus.NoResponse, ProviderOutreachStatus.StoppedAtClosure, false)]
    public void Supersedes_OnlyForwardAndNeverPastAnEnd(ProviderOutreachStatus known, ProviderOutreachStatus reported, bool expected) =>
        Assert.Equal(expected, ProviderOutreach.Supersedes(reported, known));
}
