namespace Mets.Architecture.Tests;

/// <summary>
/// What one production project may reference: the METS projects it may name (any other <c>Mets.*</c> reference is a
/// violation), the outside assembly families it must never name, and, for a project that must stay plain C#, the only
/// families it may name at all. A family is an assembly name prefix ending at a dot: <c>Azure</c> is
/// <c>Azure.Storage.Blobs</c> and <c>Azure</c>, not <c>AzureX</c>.
/// </summary>
internal sealed record ProjectRule(string Project, string[] MayReference, string[] NeverFamilies, string[]? OnlyFamilies = null);

/// <summary>
/// The one description of the dependency direction in docs/architecture.md ("Projects and dependency direction"):
/// Domain &lt;- Claims &lt;- Workflow -&gt; Microsoft.DurableTask &lt;- Durable (the engine implements Microsoft's
/// abstractions; Workflow never references it); Api -&gt; Workflow; Azure -&gt; Workflow/Claims/Domain; Local and
/// FunctionApp are composition roots, and only Local composes the engine. <see cref="DependencyRulesTests"/> checks
/// every production assembly against it.
/// </summary>
internal static class Architecture
{
    private const string AspNetCore = "Microsoft.AspNetCore";
    private const string AzureSdk = "Azure";
    private const string MicrosoftAzure = "Microsoft.Azure";
    private const string SendGrid = "SendGrid";
    private const string DurableTask = "Microsoft.DurableTask";

    /// <summary>The outside world of an adapter: Azure SDKs, Azure Functions, SendGrid.</summary>
    private static readonly string[] CloudSdks = [AzureSdk, MicrosoftAzure, SendGrid];

    public static IReadOnlyList<ProjectRule> Projects { get; } =
    [
        // Pure C#: the engagement model knows no framework beyond the base library.
        new("Mets.Domain", MayReference: [], NeverFamilies: [], OnlyFamilies: ["System", "netstandard", "mscorlib"]),

        // Claims reading and analytics: no workflow, no HTTP, no cloud, no durable runtime.
        new("Mets.Claims", MayReference: ["Mets.Domain"], NeverFamilies: [AspNetCore, DurableTask, .. CloudSdks]),

        // The embedded engine implements Microsoft.DurableTask and knows nothing about METS.
        new("Mets.Durable", MayReference: [], NeverFamilies: [AspNetCore, .. CloudSdks]),

        // Written against Microsoft.DurableTask itself, never against the embedded engine (not a METS reference).
        new("Mets.Workflow", MayReference: ["Mets.Domain", "Mets.Claims"], NeverFamilies: [AspNetCore, .. CloudSdks]),

        // HTTP handlers shared by both hosts: no cloud SDK, no engine.
        new("Mets.Api", MayReference: ["Mets.Domain", "Mets.Claims", "Mets.Workflow"], NeverFamilies: CloudSdks),

        // Azure adapters of the workflow's ports: no HTTP handlers.
        new("Mets.Azure", MayReference: ["Mets.Domain", "Mets.Claims", "Mets.Workflow"], NeverFamilies: [AspNetCore]),

        // Composition roots. Only the local host composes the embedded engine; it is not a Functions worker.
        new("Mets.Local", MayReference: ["Mets.Domain", "Mets.Claims", "Mets.Workflow", "Mets.Api", "Mets.Azure", "Mets.Durable"],
            NeverFamilies: ["Microsoft.Azure.Functions"]),
        new("Mets.FunctionApp", MayReference: ["Mets.Domain", "Mets.Claims", "Mets.Workflow", "Mets.Api", "Mets.Azure"], NeverFamilies: []),
    ];
}
