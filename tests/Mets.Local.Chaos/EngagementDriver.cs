using System.Globalization;
using System.Net;
using System.Text.Json;
using Mets.Local.Testing;
using Mets.Workflow.Adapters.Outbox;
using MimeKit;

namespace Mets.Local.Chaos;

/// <summary>
/// Plays one <see cref="EngagementScript"/> over HTTP as the people involved would: the referrer posts the referral,
/// the clinician waits for the assessment to show on the engagement and records it at the scripted moment (some
/// before the reminder, some after it, some after the escalation), each provider opens the link in the outbox email
/// and answers on the page, the clinician records reviews and closes, the supervisor decides the closure review.
/// Think times are waits until a scripted moment; everything else waits on what the engagement shows.
/// </summary>
public sealed class EngagementDriver(ChaosClient client, ChaosHost host, CancellationToken cancellationToken)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(250);

    public async Task RunAsync(EngagementRecord record)
    {
        DateTimeOffset closesFrom;
        try
        {
            closesFrom = await ActAsync(record);
        }
        catch (Exception exception) when (exception is ScriptFailedException or TimeoutException)
        {
            record.Fail(exception.Message);
            return;
        }

        try
        {
            record.Final = await WaitForEngagementAsync(record, "to close", e => Text(e, "status") == "closed", closesFrom, TimeSpan.FromSeconds(1));
        }
        catch (Exception exception) when (exception is ScriptFailedException or TimeoutException)
        {
            record.Fail(exception.Message);
        }
    }

    /// <summary>Runs the script's writes; returns the moment from which the engagement should read closed.</summary>
    private async Task<DateTimeOffset> ActAsync(EngagementRecord record)
    {
        var script = record.Script;
        var id = await ReferAsync(record, script.ReferralId);
        record.EngagementId = id;
        if (script.AttachedReferralId is { } attached)
        {
            var same = await ReferAsync(record, attached);
            if (same != id)
            {
                throw new ScriptFailedException($"a second referral for the member answered engagement {same}, expected {id}");
            }
        }

        if (script.Kind == ScriptKind.Silent)
        {
            return DateTimeOffset.UtcNow + ChaosPolicy.MaximumDuration + ChaosPolicy.ClosureDecisionWindow;
        }

        var assessment = await WaitForStepAsync(record, "assessment", 1);
        switch (script.Kind)
        {
            case ScriptKind.UnableToReach:
                string[] outcomes = ["noAnswer", "messageLeft", "wrongOrDisconnectedNumber"];
                for (var n = 1; n <= ChaosPolicy.UnsuccessfulContactsBeforeClosure; n++)
                {
                    await ContactAsync(record, n, outcomes[(n - 1) % outcomes.Length], last: n == ChaosPolicy.UnsuccessfulContactsBeforeClosure);
                }

                return DateTimeOffset.UtcNow;
            case ScriptKind.ClosedEarly:
                await ContactAsync(record, 1, "reached", last: false);
                await StepAsync(record, "closure", """{ "reason": "memberDeclined" }""", "closure", closes: true);
                return DateTimeOffset.UtcNow;
        }

        await UntilAsync(Due(assessment) + script.AssessmentOffset);
        await StepAsync(record, "assessment", Assessment(script), "assessment", closes: false);
        var providers = Task.WhenAll(script.Providers.Where(p => p.Answer is not null).Select(p => AnswerAsProviderAsync(record, p)));
        if (script.Kind == ScriptKind.Standard)
        {
            for (var n = 1; n <= script.ReviewOffsets.Count; n++)
            {
                var review = await WaitForStepAsync(record, "review", n);
                var closing = n == script.ReviewOffsets.Count && script.CloseWithReview;
                if (closing)
                {
                    await ProvidersAnsweredAsync(record, providers);
                }

                await UntilAsync(Due(review) + script.ReviewOffsets[n - 1]);
                var body = closing
                    ? $$"""{ "reviewNumber": {{n}}, "closeWith": "goalsMet" }"""
                    : $$"""{ "reviewNumber": {{n}} }""";
                await StepAsync(record, "reviews", body, $"review {n}", closing);
            }

            if (!script.CloseWithReview)
            {
                await ProvidersAnsweredAsync(record, providers);
                await StepAsync(record, "closure", $$"""{ "reason": "{{script.ExpectedReason}}" }""", "closure", closes: true);
            }

            return DateTimeOffset.UtcNow;
        }

        // The supervisor's scripts: nobody reviews until the maximum duration opens the closure review.
        await ProvidersAnsweredAsync(record, providers);
        var maximumEnd = Date(assessment.GetProperty("dueDates"), "maximumDurationEndsAt")
            ?? throw new ScriptFailedException("the engagement shows no maximum duration end");
        await UntilAsync(maximumEnd);
        if (script.Kind == ScriptKind.SupervisorCloses)
        {
            await DecideAsync(record, maximumEnd, $$"""{ "closureReviewNumber": 1, "decision": "close", "reason": "{{script.ExpectedReason}}" }""", closes: true);
            return DateTimeOffset.UtcNow;
        }

        if (!await DecideAsync(record, maximumEnd, """{ "closureReviewNumber": 1, "decision": "extend" }""", closes: false))
        {
            return DateTimeOffset.UtcNow;
        }

        var extended = await WaitForEngagementAsync(record, "to reach a review after the extension", e => Text(e.GetProperty("currentStep"), "step") == "review", DateTimeOffset.UtcNow, Pause);
        var number = extended.GetProperty("currentStep").GetProperty("number").GetInt32();
        await StepAsync(record, "reviews", $$"""{ "reviewNumber": {{number}}, "closeWith": "goalsMet" }""", $"review {number}", closes: true);
        return DateTimeOffset.UtcNow;
    }

    /// <summary>
    /// Closing waits until the providers' answers show on the engagement, as a clinician reading it would (an answer
    /// confirmed "recorded" shows at once; one only "received" (202) shows once the workflow records it).
    /// </summary>
    private async Task ProvidersAnsweredAsync(EngagementRecord record, Task providers)
    {
        await providers;
        var answering = record.Script.Providers.Where(p => p.Answer is not null).ToList();
        if (answering.Count > 0)
        {
            await WaitForEngagementAsync(record, "to show the providers' answers", e => answering.All(p => e.GetProperty("outreach").EnumerateArray()
                .Any(o => Text(o, "npi") == p.Npi && Text(o, "response") == record.ExpectedResponse(p.Npi))), DateTimeOffset.UtcNow, Pause);
        }
    }

    private async Task<string> ReferAsync(EngagementRecord record, string referralId)
    {
        var script = record.Script;
        var providers = string.Join(", ", script.Providers.Select(p =>
            $$"""{ "name": "{{p.Name}}", "npi": "{{p.Npi}}", "email": "{{p.Email}}", "role": "psychiatry" }"""));
        var json = $$"""
            {
              "referralId": "{{referralId}}", "memberId": "{{script.MemberId}}", "source": "treatingProvider", "reason": "clinicalConcern",
              "diagnoses": ["F33.1"], "treatingProviders": [ {{providers}} ]
            }
            """;
        var answer = await client.PostJsonAsync("/api/referrals", json, cancellationToken);
        if (answer.Status != HttpStatusCode.Accepted || Text(answer.Json, "id") is not { } id)
        {
            throw new ScriptFailedException($"referral {referralId} answered {answer.Describe()}, expected 202 with an engagement id");
        }

        record.Accepted(referralId, id);
        record.Sent(new SentCommand($"referral {referralId}", answer.FirstSentAt, EndsStep: false, Closes: false, Npi: null));
        return id;
    }

    /// <summary>A step command: 202 is the only right answer, also when it had to be sent again (the same command again gets the first answer).</summary>
    private async Task StepAsync(EngagementRecord record, string route, string json, string what, bool closes)
    {
        var answer = await client.PostJsonAsync($"/api/engagements/{record.EngagementId}/{route}", json, cancellationToken);
        record.Sent(new SentCommand(what, answer.FirstSentAt, EndsStep: true, closes, Npi: null));
        if (answer.Status != HttpStatusCode.Accepted)
        {
            throw new ScriptFailedException($"{what} answered {answer.Describe()}, expected 202");
        }
    }

    /// <summary>A contact attempt, numbered so a resent one is recognized: sent again after a kill, 409 Duplicate (or EngagementClosed for the closing one) means the first copy was applied.</summary>
    private async Task ContactAsync(EngagementRecord record, int attempt, string outcome, bool last)
    {
        if (attempt > 1)
        {
            await WaitForEngagementAsync(record, $"to show contact attempt {attempt - 1}", e => e.GetProperty("contactAttemptsRecorded").GetInt32() >= attempt - 1, DateTimeOffset.UtcNow, Pause);
        }

        var answer = await client.PostJsonAsync(
            $"/api/engagements/{record.EngagementId}/contact-attempts", $$"""{ "outcome": "{{outcome}}", "attemptNumber": {{attempt}} }""", cancellationToken);
        record.Sent(new SentCommand($"contact attempt {attempt}", answer.FirstSentAt, EndsStep: last, Closes: last, Npi: null));
        var resentAndApplied = answer.Retried && answer.Status == HttpStatusCode.Conflict && answer.Code is "Duplicate" or "EngagementClosed";
        if (answer.Status != HttpStatusCode.Accepted && !resentAndApplied)
        {
            throw new ScriptFailedException($"contact attempt {attempt} answered {answer.Describe()}, expected 202");
        }
    }

    /// <summary>
    /// The provider finds the request email in the outbox, opens the signed link after the scripted delay and answers
    /// on the page's form. Sent again after a kill, "already recorded" (409) is the product's answer to a second post.
    /// </summary>
    private async Task AnswerAsProviderAsync(EngagementRecord record, ProviderScript provider)
    {
        var email = Path.Combine(host.DataFolder, "outbox", OutboxEmailSender.FileNameFor($"{record.EngagementId}:outreach:{provider.Npi}-request"));
        await Eventually.WaitForAsync(() => Task.FromResult(File.Exists(email) ? email : null), StepTimeout,
            $"the request email to provider {provider.Npi} of engagement {record.EngagementId}", pause: Pause);
        var seen = DateTimeOffset.UtcNow;
        string link;
        using (var message = await MimeMessage.LoadAsync(email, cancellationToken))
        {
            var body = message.TextBody ?? string.Empty;
            var start = body.IndexOf("/api/provider-responses/", StringComparison.Ordinal);
            link = start < 0 ? throw new ScriptFailedException($"the request email to provider {provider.Npi} holds no link")
                : new string([.. body[start..].TakeWhile(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.')]).TrimEnd('.');
        }

        var planned = seen + provider.AnswerAfter;
        await UntilAsync(planned);
        var page = await client.GetAsync(link, key: null, cancellationToken);
        if (page.Status != HttpStatusCode.OK || !page.Text.Contains("<form", StringComparison.Ordinal))
        {
            throw new ScriptFailedException($"provider {provider.Npi}'s link page answered {page.Describe()}, expected 200 with the form");
        }

        var answer = await client.PostFormAsync(link, [new("response", provider.Answer!)], cancellationToken);
        record.Sent(new SentCommand($"provider {provider.Npi} {provider.Answer}", answer.FirstSentAt, EndsStep: false, Closes: false, provider.Npi));
        if (answer.Status == HttpStatusCode.OK
            || answer.Retried && answer.Status == HttpStatusCode.Conflict && answer.Text.Contains("The response recorded for this request: " + PageWords(provider.Answer!), StringComparison.Ordinal))
        {
            // recorded (sent again after a kill, the page says the first copy was): the engagement shows it now, not later
            var read = await client.GetAsync($"/api/engagements/{record.EngagementId}", cancellationToken);
            if (read.Status == HttpStatusCode.OK && !read.Json.GetProperty("outreach").EnumerateArray()
                .Any(o => Text(o, "npi") == provider.Npi && Text(o, "response") == record.ExpectedResponse(provider.Npi)))
            {
                throw new ScriptFailedException($"provider {provider.Npi}'s answer was confirmed recorded ({answer.Describe()}) but the engagement does not show it");
            }

            return;
        }

        if (answer.Status == HttpStatusCode.Accepted)
        {
            return; // received, not yet recorded: closing waits until it shows
        }

        // The outreach ends (no response) at most this long after its first email, which came before the driver saw it.
        var outreachEnds = seen + ChaosPolicy.ProviderEscalationAfter + ChaosPolicy.PeerReviewWindow;
        if (answer.Status == HttpStatusCode.Conflict && !host.UpThroughout(planned, outreachEnds))
        {
            record.LostToDeadline($"provider {provider.Npi}'s answer, due at {planned:HH:mm:ss}, was refused: the outreach ended while the host was down", unansweredNpi: provider.Npi);
            return;
        }

        throw new ScriptFailedException($"provider {provider.Npi}'s answer answered {answer.Describe()}, expected 200 (recorded)");
    }

    /// <summary>
    /// The supervisor decides closure review 1 as soon as it shows. The decision races the review's deadline: it must
    /// win when the host was up from the moment it showed until the deadline; when a kill took the host down in
    /// between, the deadline's outcome (closed, maximum duration reached) is right too. So is it when the review was
    /// never seen open because the driver's reads were further apart than the decision window
    /// (<see cref="WaitForClosureReviewAsync"/>); the checks then hold the timeline to a closure review that ran its
    /// whole window.
    /// </summary>
    private async Task<bool> DecideAsync(EngagementRecord record, DateTimeOffset maximumEnd, string json, bool closes)
    {
        if (await WaitForClosureReviewAsync(record, maximumEnd) is not { } review)
        {
            return false;
        }

        var seen = DateTimeOffset.UtcNow;
        var deadline = Due(review);
        var decision = await client.PostJsonAsync($"/api/engagements/{record.EngagementId}/closure-review", json, cancellationToken);
        var after = await WaitForEngagementAsync(record, "to leave closure review 1", e => Text(e.GetProperty("currentStep"), "step") != "closureReview", DateTimeOffset.UtcNow, Pause);
        var lost = Text(after, "status") == "closed" && Text(after.GetProperty("outcome"), "reason") == "maximumDurationReached";
        record.Sent(new SentCommand("closure review 1", decision.FirstSentAt, EndsStep: !lost, Closes: closes && !lost, Npi: null));
        if (!lost && decision.Status == HttpStatusCode.Accepted)
        {
            return true;
        }

        if (lost && !host.UpThroughout(seen, deadline))
        {
            record.LostToDeadline($"the closure-review decision, shown at {seen:HH:mm:ss}, lost to its deadline {deadline:HH:mm:ss}: the host was down in between", closesAs: "maximumDurationReached");
            return false;
        }

        throw new ScriptFailedException($"closure review 1 answered {decision.Describe()} and the engagement went on to {Text(after.GetProperty("currentStep"), "step")} ({Text(after, "status")}), expected the decision to be applied");
    }

    /// <summary>
    /// Reads the engagement until closure review 1 shows. Answers null (and records the lost decision) when it shows
    /// closed at the review's deadline instead, and no read could have seen the review open: from the last read sent
    /// before the review was due to open (or the maximum duration's end, <paramref name="maximumEnd"/>, when none was)
    /// to the answer that showed it closed, more than the decision window passed, so the machine stalled the driver or
    /// the host for longer than a review stays open. Any closer pair of reads is a failure: the review was skipped or
    /// cut short.
    /// </summary>
    private async Task<JsonElement?> WaitForClosureReviewAsync(EngagementRecord record, DateTimeOffset maximumEnd)
    {
        await UntilAsync(maximumEnd);
        var lookedFrom = maximumEnd;
        var missed = (DateTimeOffset?)null;
        var review = await Eventually.WaitForAsync<JsonElement?>(async () =>
        {
            var sent = DateTimeOffset.UtcNow;
            var read = await client.GetAsync($"/api/engagements/{record.EngagementId}", cancellationToken);
            var answered = DateTimeOffset.UtcNow;
            if (read.Status != HttpStatusCode.OK)
            {
                throw new ScriptFailedException($"reading it answered {read.Describe()}, expected 200");
            }

            var current = read.Json.GetProperty("currentStep");
            if (Text(current, "step") == "closureReview" && current.GetProperty("number").GetInt32() == 1)
            {
                return read.Json;
            }

            if (Text(read.Json, "status") != "closed")
            {
                lookedFrom = sent;
                return null;
            }

            var reason = Text(read.Json.GetProperty("outcome"), "reason");
            if (reason != "maximumDurationReached" || answered - lookedFrom <= ChaosPolicy.ClosureDecisionWindow)
            {
                throw new ScriptFailedException($"expected it to reach closureReview 1, but it closed ({reason}) with reads {(answered - lookedFrom).TotalSeconds:0.0} s apart ({lookedFrom:HH:mm:ss.fff} to {answered:HH:mm:ss.fff}), within the {ChaosPolicy.ClosureDecisionWindow.TotalSeconds:0} s decision window");
            }

            missed = answered;
            return read.Json;
        }, StepTimeout, $"engagement {record.EngagementId} ({record.Script}) to reach closure review 1", pause: Pause).ConfigureAwait(false);
        if (missed is { } closedSeen)
        {
            record.LostToDeadline(
                $"closure review 1 was never seen open: no read of the engagement from {lookedFrom:HH:mm:ss.fff} to {closedSeen:HH:mm:ss.fff} ({(closedSeen - lookedFrom).TotalSeconds:0.0} s, longer than the {ChaosPolicy.ClosureDecisionWindow.TotalSeconds:0} s decision window: the machine stalled), and its deadline closed it",
                closesAs: "maximumDurationReached");
            return null;
        }

        return review;
    }

    private static string PageWords(string response) => response == "willCollaborate" ? "I will collaborate" : "I decline to collaborate";

    private Task<JsonElement> WaitForStepAsync(EngagementRecord record, string step, int number) =>
        WaitForEngagementAsync(record, $"to reach {step} {number}", e =>
        {
            var current = e.GetProperty("currentStep");
            var at = Text(current, "step");
            if (at == step && current.GetProperty("number").GetInt32() == number)
            {
                return true;
            }

            return at == "closureReview" && step != "closureReview"
                ? throw new ScriptFailedException($"expected {step} {number}, but the maximum duration opened the closure review first")
                : false;
        }, DateTimeOffset.UtcNow, Pause);

    /// <summary>Reads the engagement (from <paramref name="from"/> on) until <paramref name="condition"/> holds; a closed engagement that should not be is a failure at once.</summary>
    private async Task<JsonElement> WaitForEngagementAsync(EngagementRecord record, string what, Func<JsonElement, bool> condition, DateTimeOffset from, TimeSpan pause)
    {
        await UntilAsync(from);
        return await Eventually.WaitForAsync<JsonElement?>(async () =>
        {
            var read = await client.GetAsync($"/api/engagements/{record.EngagementId}", cancellationToken);
            if (read.Status != HttpStatusCode.OK)
            {
                throw new ScriptFailedException($"reading it answered {read.Describe()}, expected 200");
            }

            if (condition(read.Json))
            {
                return read.Json;
            }

            return Text(read.Json, "status") == "closed"
                ? throw new ScriptFailedException($"expected it {what}, but it closed ({Text(read.Json.GetProperty("outcome"), "reason")})")
                : null;
        }, StepTimeout, $"engagement {record.EngagementId} ({record.Script}) {what}", pause: pause).ConfigureAwait(false) ?? default;
    }

    private static string Assessment(EngagementScript script)
    {
        int[][] severities = [[0, 1, 0, 1, 0, 0, 1, 0], [1, 2, 1, 1, 2, 1, 1, 1], [2, 3, 2, 2, 3, 2, 2, 2]];
        var phq9 = severities[script.Number % severities.Length].Append(script.SafetyRisk ? 1 : 0);
        return $$"""
            { "scores": { "phq9": [{{string.Join(", ", phq9)}}], "gad7": [1, 1, 1, 1, 1, 1, 1] }, "memberStatedGoals": ["walk every day"] }
            """;
    }

    /// <summary>Scripted think time: waits until <paramref name="at"/> (at once when it has passed).</summary>
    private async Task UntilAsync(DateTimeOffset at)
    {
        var wait = at - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }

    private static DateTimeOffset Due(JsonElement engagement) =>
        Date(engagement.GetProperty("currentStep"), "dueAt") ?? throw new ScriptFailedException("the current step shows no due date");

    internal static DateTimeOffset? Date(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture)
            : null;

    internal static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>A script expectation that failed while driving (the message names what was expected and what came).</summary>
public sealed class ScriptFailedException(string message) : Exception(message);
