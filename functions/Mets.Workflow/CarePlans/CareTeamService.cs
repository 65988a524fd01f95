using Mets.Domain.Engagements;
using Mets.Domain.Identifiers;
using Mets.Domain.Referrals;
using Mets.Workflow.Application;
using Mets.Workflow.Consent;
using Mets.Workflow.Cases;

namespace Mets.Workflow.CarePlans;

/// <summary>A care-team participant as the clinician adds them: name, NPI, role and contact; <paramref name="Contact"/> includes them in the outreach.</summary>
public sealed record CareTeamSubmission(string Name, Npi Npi, Email Email, ProviderRole Role, string? Phone, bool Contact);

/// <summary>
/// The care team beyond the treating behavioral-health provider: primary care, a psychiatry consultant, pharmacy,
/// dental, social services, with role and contact. A participant added with contact gets their own outreach (the
/// engagement starts it: request, reminders, peer-to-peer escalation), its substance-use content gated by consent like
/// any provider's, and the closure summary once contacted.
/// </summary>
public sealed class CareTeamService(CaseEditor editor, EngagementService engagements, TimeProvider time)
{
    public async Task<CommandResult> AddAsync(EngagementId id, CareTeamSubmission participant, Actor by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(participant);
        ArgumentNullException.ThrowIfNull(by);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(participant.Name) || participant.Name.Length > TreatingProvider.MaxNameLength)
        {
            errors.Add($"Name must be 1 to {TreatingProvider.MaxNameLength} characters.");
        }

        if (participant.Phone is { } phone && (phone.Length is 0 or > TreatingProvider.MaxPhoneLength || !phone.All(c => char.IsAsciiDigit(c) || c is ' ' or '-' or '+' or '(' or ')' or '.')))
        {
            errors.Add($"Phone must be 1 to {TreatingProvider.MaxPhoneLength} digits, spaces and + - ( ) .");
        }

        if (!Enum.IsDefined(participant.Role))
        {
            errors.Add("Role is not a known care-team role.");
        }

        if (errors.Count > 0)
        {
            return CommandResult.Invalid(errors);
        }

        var member = new TreatingProvider(participant.Name.Trim(), participant.Npi, participant.Email, participant.Role, participant.Phone?.Trim());
        var result = await editor.ApplyAsync(id, $"care-team:{Guid.NewGuid():N}", current =>
        {
            if (CarePlanService.NotStarted(current) is { } refusal)
            {
                return CaseEdit.Refuse(refusal);
            }

            if (current.FindTreatingProvider(member.Npi) is { } existing)
            {
                return existing == member
                    ? CaseEdit.Unchanged
                    : CaseEdit.Refuse(CommandResult.Conflict(ConsentService.IdInUse, $"Engagement {id} has a different participant with this NPI."));
            }

            return CaseEdit.Change(current.AddCareTeamMember(member, participant.Contact, by, time.GetUtcNow()));
        }, cancellationToken);
        if (result.Result.Status == CommandStatus.Accepted && participant.Contact)
        {
            await engagements.RequestCareTeamOutreachAsync(id, member.Npi, member.Role, cancellationToken);
        }

        return result.Result;
    }
}
