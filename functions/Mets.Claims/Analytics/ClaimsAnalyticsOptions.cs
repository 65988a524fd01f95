using System.ComponentModel.DataAnnotations;

namespace Mets.Claims.Analytics;

/// <summary>Thresholds and windows of the claims analytics (section "Claims:Analytics").</summary>
public sealed class ClaimsAnalyticsOptions
{
    public const string SectionName = "Claims:Analytics";

    /// <summary>Optional path of a code-set JSON file; empty = the built-in public-proxy code sets.</summary>
    public string? CodeSetPath { get; set; }

    /// <summary>Optional path of an NDC list JSON file (the plan's drug classification); empty = the built-in list
    /// (Analytics/CodeSets/bh-ndc-list.v1.json, a small seed drawn from FDA labels).</summary>
    public string? NdcListPath { get; set; }

    /// <summary>Index events older than this many days are not evaluated as gaps.</summary>
    [Range(30, 3650)]
    public int GapLookbackDays { get; set; } = 365;

    /// <summary>IET negative SUD diagnosis and medication history before a new episode (HEDIS MY2022 onwards: 194 days; 60 before).</summary>
    [Range(1, 730)]
    public int SubstanceUseNegativeHistoryDays { get; set; } = 194;

    [Range(1, 60)]
    public int InitiationDays { get; set; } = 14;

    [Range(1, 120)]
    public int EngagementDays { get; set; } = 34;

    /// <summary>AMM negative medication history before the index prescription start date.</summary>
    [Range(1, 730)]
    public int AntidepressantNegativeHistoryDays { get; set; } = 105;

    /// <summary>PDC at or above this is adherent (no partial credit).</summary>
    [Range(typeof(decimal), "0.01", "1")]
    public decimal AdherenceThreshold { get; set; } = 0.80m;

    /// <summary>The index fill must be at least this many days before the end of the evaluation.</summary>
    [Range(1, 366)]
    public int MinimumTreatmentDays { get; set; } = 91;

    /// <summary>Window for utilization triggers and the risk-tier utilization read (about 6 months).</summary>
    [Range(1, 730)]
    public int UtilizationLookbackDays { get; set; } = 183;

    /// <summary>BH inpatient stays within the look-back that make a "repeated stays" trigger.</summary>
    [Range(1, 100)]
    public int RepeatedInpatientStays { get; set; } = 2;

    /// <summary>BH ED visits within the look-back that make a "frequent ED" trigger.</summary>
    [Range(1, 100)]
    public int FrequentEmergencyVisits { get; set; } = 3;

    /// <summary>Outpatient BH visit days within the look-back that make a "top outpatient utilizer" trigger.</summary>
    [Range(1, 1000)]
    public int HighOutpatientVisits { get; set; } = 24;

    /// <summary>Discharge and ED-visit triggers for engaged members only for events this recent.</summary>
    [Range(1, 365)]
    public int RecentEventDays { get; set; } = 30;
}
