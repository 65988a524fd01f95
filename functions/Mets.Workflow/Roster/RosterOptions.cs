using System.ComponentModel.DataAnnotations;
using Mets.Domain.Identifiers;

namespace Mets.Workflow.Roster;

/// <summary>One person on the METS team: roster id (a <see cref="StaffId"/>) and work email.</summary>
public sealed class RosterMember
{
    [Required]
    public string Id { get; set; } = string.Empty;

    [Required]
    public string Email { get; set; } = string.Empty;
}

/// <summary>
/// The METS team, bound from <see cref="SectionName"/>: clinicians (new engagements go to the one with
/// the fewest open engagements), supervisors (escalations and closure reviews go to the first) and
/// medical directors (peer-to-peer reviews go to the first).
/// </summary>
public sealed class RosterOptions : IValidatableObject
{
    public const string SectionName = "Mets:Roster";

    public IList<RosterMember> Clinicians { get; } = [];

    public IList<RosterMember> Supervisors { get; } = [];

    public IList<RosterMember> MedicalDirectors { get; } = [];

    // Methods rather than properties: the data-annotations validator reads every property, even of an empty roster.

    /// <summary>Escalations and closure reviews go to the first supervisor.</summary>
    public StaffId GetSupervisor() => StaffId.Parse(Supervisors[0].Id);

    /// <summary>Peer-to-peer reviews go to the first medical director.</summary>
    public StaffId GetMedicalDirector() => StaffId.Parse(MedicalDirectors[0].Id);

    public IReadOnlyList<StaffId> GetClinicianIds() => [.. Clinicians.Select(c => StaffId.Parse(c.Id))];

    /// <summary>Every medical director on the roster (peer-to-peer reviews are theirs to record).</summary>
    public IReadOnlyList<StaffId> GetMedicalDirectorIds() => [.. MedicalDirectors.Select(c => StaffId.Parse(c.Id))];

    /// <summary>The roster email of <paramref name="staff"/>, or null when not on the roster.</summary>
    public string? EmailOf(StaffId staff) =>
        Clinicians.Concat(Supervisors).Concat(MedicalDirectors)
            .FirstOrDefault(m => StaffId.TryParse(m.Id, out var id) && id == staff)?.Email;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, list) in new[] { (nameof(Clinicians), Clinicians), (nameof(Supervisors), Supervisors), (nameof(MedicalDirectors), MedicalDirectors) })
        {
            if (list.Count == 0)
            {
                yield return new ValidationResult($"{SectionName}:{name} needs at least one entry.", [name]);
            }

            for (var i = 0; i < list.Count; i++)
            {
                if (!StaffId.TryParse(list[i].Id, out _, out var reason))
                {
                    yield return new ValidationResult($"{SectionName}:{name}:{i}:Id is not a valid staff id ({reason}).", [name]);
                }

                if (!Mets.Domain.Identifiers.Email.TryParse(list[i].Email, out _))
                {
                    yield return new ValidationResult($"{SectionName}:{name}:{i}:Email is not a valid email address.", [name]);
                }
            }
        }
    }
}
