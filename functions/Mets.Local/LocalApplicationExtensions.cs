using System.ComponentModel.DataAnnotations;
using Mets.Api;
using Mets.Api.Health;
using Mets.Api.Routing;
using Mets.Durable.Engine;
using Mets.Local.Data;
using Mets.Local.Startup;
using Mets.Workflow.Roster;
using Microsoft.Extensions.Options;

namespace Mets.Local;

/// <summary>The local host's pipeline and its run loop.</summary>
public static class LocalApplicationExtensions
{
    /// <summary>
    /// The Mets.Api pipeline, /health, and every API route (<see cref="MetsApiEndpoints.MapMetsApi"/>). Every request is
    /// foreground work for the embedded engine (<see cref="ForegroundWork"/>): while callers wait for answers, the engine
    /// runs one activity at a time and pauses between dispatcher rounds, and drains what they left after.
    /// </summary>
    public static WebApplication MapMetsLocal(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Resolved at the first request, not here: the engine's store reads the validated options, and a host whose
        // configuration is not valid must get as far as RunMetsLocalAsync to report it.
        var foreground = new Lazy<ForegroundWork>(() => app.Services.GetRequiredService<EmbeddedTaskHub>().Foreground);
        app.Use(async (context, next) =>
        {
            using (foreground.Value.Begin())
            {
                await next(context).ConfigureAwait(false);
            }
        });
        app.UseMetsApi();
        app.MapHealth("local", new Dictionary<string, string>
        {
            ["engine"] = "sqlite",
            ["cases"] = "sqlite",
            ["claims"] = "sqlite",
            ["claimsInbox"] = "folder",
            ["mail"] = "outbox",
        });
        app.MapMetsApi();
        return app;
    }

    /// <summary>
    /// Runs until Ctrl+C / SIGTERM. A configuration the host cannot start with ends the process with
    /// exit code 2 and one line per problem, each naming its setting, instead of a stack trace.
    /// </summary>
    public static async Task<int> RunMetsLocalAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Validate before the host starts, so every bad setting is reported at once, plainly, and
        // not also logged with a stack trace by the host. The key options depend on the local
        // options (data folder, user), so they are checked only once those are valid.
        var problems = new List<string>();
        Check(problems, () => _ = app.Services.GetRequiredService<IOptions<LocalHostOptions>>().Value);
        Check(problems, () => _ = app.Services.GetRequiredService<IOptions<ApiLimitsOptions>>().Value);
        if (problems.Count == 0)
        {
            Check(problems, () => app.Services.GetRequiredService<LocalDataFolder>().EnsureCreated());
        }

        // The roster is checked from its raw settings first: validating RosterOptions through its data
        // annotations reads its computed id properties, which throw on a bad id instead of naming it
        // (Mets.Workflow RosterOptions.ClinicianIds / Supervisor / MedicalDirector).
        problems.AddRange(RosterProblems(app.Configuration));
        if (problems.Count == 0)
        {
            Check(problems, () => app.Services.GetService<IStartupValidator>()?.Validate());
        }

        if (problems.Count > 0)
        {
            await Console.Error.WriteLineAsync("The METS local host cannot start: its configuration is not valid.").ConfigureAwait(false);
            foreach (var problem in problems.Distinct())
            {
                await Console.Error.WriteLineAsync("  " + problem).ConfigureAwait(false);
            }

            return 2;
        }

        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }

    private static IEnumerable<string> RosterProblems(IConfiguration configuration)
    {
        var roster = new RosterOptions();
        try
        {
            configuration.GetSection(RosterOptions.SectionName).Bind(roster);
        }
        catch (InvalidOperationException conversion)
        {
            return [conversion.Message];
        }

        return ((IValidatableObject)roster).Validate(new ValidationContext(roster)).Select(r => r.ErrorMessage ?? "Mets:Roster is not valid.");
    }

    private static void Check(List<string> problems, Action check)
    {
        try
        {
            check();
        }
        catch (Exception exception) when (StartupProblems(exception) is { Count: > 0 } found)
        {
            problems.AddRange(found);
        }
    }

    private static List<string> StartupProblems(Exception exception) => exception switch
    {
        OptionsValidationException validation => [.. validation.Failures],
        LocalStartupException startup => [startup.Message],
        InvalidOperationException conversion when conversion.Message.Contains(" at 'Mets:", StringComparison.Ordinal) => [conversion.Message],
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(StartupProblems).ToList(),
        _ => [],
    };
}
