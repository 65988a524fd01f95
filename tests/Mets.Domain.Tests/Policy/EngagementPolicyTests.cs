using System.ComponentModel.DataAnnotations;
using Mets.Domain.Policy;

namespace Mets.Domain.Tests.Policy;

public class EngagementPolicyTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public void Defaults_MatchTheIssueAndAreValid()
    {
        var policy = new EngagementPolicy();

        Assert.Empty(policy.Validate());
        Assert.Equal("Mets:Policy", EngagementPolicy.SectionName);
        Assert.Equal(7 * Day, policy.AssessmentDue);
        Assert.Equal(Day, policy.UrgentAssessmentDue);
        Assert.Equal(2 * Day, policy.ReminderLead);
        Assert.Equal(3, policy.UnsuccessfulContactsBeforeClosure);
        Assert.Equal(3 * Day, policy.ProviderReminderInterval);
        Assert.Equal(3, policy.ProviderReminderCount);
        Assert.Equal(12 * Day, policy.ProviderEscalationAfter);
        Assert.Equal(14 * Day, policy.PeerReviewWindow);
        Assert.Equal((14 * Day, 30 * Day, 60 * Day), (policy.HighRiskReviewInterval, policy.ModerateRiskReviewInterval, policy.LowRiskReviewInterval));
        Assert.Equal(7 * Day, policy.DischargeFollowUp);
        Assert.Equal(Day, policy.MinimumReviewNotice);
        Assert.Equal(180 * Day, policy.MaximumDuration);
        Assert.Equal(90 * Day, policy.ClosureExtension);
        Assert.Equal(7 * Day, policy.ClosureDecisionWindow);
    }

    [Fact]
    public void Validate_ZeroDuration_NamesTheSetting()
    {
        var errors = new EngagementPolicy { AssessmentDue = TimeSpan.Zero }.Validate();

        Assert.Contains(errors, e => e.StartsWith("Mets:Policy:AssessmentDue must be between", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ZeroContactLimit_NamesTheSetting()
    {
        var errors = new EngagementPolicy { UnsuccessfulContactsBeforeClosure = 0 }.Validate();

        Assert.Equal(["Mets:Policy:UnsuccessfulContactsBeforeClosure must be between 1 and 100."], errors);
    }

    [Fact]
    public void Validate_ReminderLeadNotShorterThanShortestDuePeriod_Fails()
    {
        var atLimit = new EngagementPolicy { ReminderLead = 7 * Day }.Validate();
        var justBelow = new EngagementPolicy { ReminderLead = (7 * Day) - TimeSpan.FromSeconds(1) }.Validate();

        Assert.Contains(atLimit, e => e.Contains("Mets:Policy:ReminderLead must be shorter than the shortest due period", StringComparison.Ordinal));
        Assert.Empty(justBelow);
    }

    [Fact]
    public void Validate_ShortestDuePeriodIsNamed()
    {
        var errors = new EngagementPolicy { HighRiskReviewInterval = 2 * Day }.Validate();

        Assert.Contains("Mets:Policy:ReminderLead must be shorter than the shortest due period (Mets:Policy:HighRiskReviewInterval).", errors);
    }

    [Fact]
    public void Validate_UrgentLongerThanRoutine_Fails()
    {
        var errors = new EngagementPolicy { UrgentAssessmentDue = 8 * Day }.Validate();

        Assert.Equal(["Mets:Policy:UrgentAssessmentDue must not be longer than Mets:Policy:AssessmentDue."], errors);
    }

    [Fact]
    public void Validate_ReviewCadenceOutOfOrder_Fails()
    {
        var errors = new EngagementPolicy { ModerateRiskReviewInterval = 61 * Day }.Validate();

        Assert.Single(errors);
        Assert.Contains("Mets:Policy:HighRiskReviewInterval <= Mets:Policy:ModerateRiskReviewInterval", errors[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4, 3, false)]   // reminders at 4, 8, 12 reach the escalation on day 12
    [InlineData(3, 4, false)]   // 3, 6, 9, 12
    [InlineData(3, 3, true)]
    [InlineData(5, 0, true)]    // no reminders at all is allowed
    public void Validate_RemindersMustEndBeforeEscalation(int intervalDays, int count, bool valid)
    {
        var errors = new EngagementPolicy { ProviderReminderInterval = intervalDays * Day, ProviderReminderCount = count }.Validate();

        Assert.Equal(valid, errors.Count == 0);
        if (!valid)
        {
            Assert.Contains("Mets:Policy:ProviderEscalationAfter", errors[0], StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsAll()
    {
        var errors = new EngagementPolicy { PeerReviewWindow = TimeSpan.Zero, UrgentAssessmentDue = 30 * Day, MaximumDuration = 7 * Day }.Validate();

        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void DataAnnotationsValidator_RunsCrossSettingRules()
    {
        var results = new List<ValidationResult>();
        var policy = new EngagementPolicy { UrgentAssessmentDue = 8 * Day };

        var valid = Validator.TryValidateObject(policy, new ValidationContext(policy), results, validateAllProperties: true);

        Assert.False(valid);
        Assert.Contains(results, r => r.MemberNames.Contains(nameof(EngagementPolicy.UrgentAssessmentDue)));
    }

    [Fact]
    public void EnsureValid_Invalid_ThrowsListingSettings()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new EngagementSchedule(new EngagementPolicy { ReminderLead = 30 * Day }));

        Assert.Contains("Mets:Policy:ReminderLead", ex.Message, StringComparison.Ordinal);
    }
}
