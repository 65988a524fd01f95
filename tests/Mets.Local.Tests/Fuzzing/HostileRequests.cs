using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Mets.Testing.Fuzzing;

namespace Mets.Local.Tests.Fuzzing;

/// <summary>One hostile request: where it goes, its body (null: none), headers, and how it was made (no body content).</summary>
public sealed record HostileRequest(string Target, string Path, byte[]? Body, string? ContentType, string? Accept, bool Chunked, string Description)
{
    /// <summary>True for the provider link, whose form posts the product answers with its HTML page (errors included).</summary>
    public bool IsProviderLink => Path.StartsWith("/api/provider-responses/", StringComparison.Ordinal);
}

/// <summary>
/// A deterministic generator of hostile bodies for the write routes: request <c>i</c> of a run is a function of the run
/// seed and <c>i</c>, so a failure is rebuilt from the two numbers printed with it. Starts from a valid body of each
/// route (with a sentinel in its values) and breaks it: wrong JSON kinds, missing and null fields, unknown and duplicate
/// fields, deep nesting (up to 10,000 levels), huge numbers (1e400, long digit strings), long strings, bodies above the
/// limits (with and without Content-Length), invalid UTF-8, lone surrogate escapes, truncation, byte flips, empty and
/// odd bodies, BOMs, wrong and missing content types, odd Accept headers.
/// </summary>
public static class HostileRequests
{
    public const string Sentinel = "ZQFUZZ4417";
    public const string ProviderForm = "provider-form";
    public const long JsonLimit = 262_144;
    public const int ProviderLimit = 4 * 1024;

    private const string Raw = "@@RAW@@";

    /// <summary>The routes and their valid bodies ({id} and {token} are filled in by the caller).</summary>
    public static readonly IReadOnlyList<(string Target, string Path, string ContentType, string Body)> Targets =
    [
        ("referral", "/api/referrals", "application/json", $$"""
            { "referralId": "REF-FZ-1", "memberId": "PLAN:{{Sentinel}}", "source": "treatingProvider", "reason": "clinicalConcern",
              "diagnoses": ["F33.1"], "treatingProviders": [ { "name": "Dr {{Sentinel}}", "npi": "1234567893", "email": "stone@clinic.example", "role": "psychiatry" } ],
              "urgency": "urgent", "safetyConcern": false, "consentToShareSubstanceUseInformation": true, "reasonDetail": "{{Sentinel}}" }
            """),
        ("fhir-bundle", "/api/referrals", "application/fhir+json", FhirSamples.Bundle("FHIR-FZ-1", "PLAN:" + Sentinel)),
        ("fhir-contained", "/api/referrals", "application/fhir+json", FhirSamples.Contained("FHIR-FZ-2", "PLAN:" + Sentinel)),
        ("assessment", "/api/engagements/{id}/assessment", "application/json", $$"""
            { "scores": { "phq9": [1, 2, 1, 1, 2, 1, 1, 1, 0], "gad7": [1, 1, 1, 1, 1, 1, 1], "auditC": { "items": [1, 0, 0], "sex": "female" },
              "cssrs": { "wishToBeDead": false, "suicidalThoughts": false, "thoughtsWithMethod": false, "intentToAct": false, "planWithIntent": false, "behavior": "none" },
              "socialNeeds": ["housingInstability"], "barriers": ["medicationNonadherence"] },
              "memberStatedGoals": ["{{Sentinel}}"],
              "treatingProviders": [ { "name": "Dr {{Sentinel}}", "npi": "1234567893", "email": "stone@clinic.example", "role": "psychiatry" } ] }
            """),
        ("contact-attempt", "/api/engagements/{id}/contact-attempts", "application/json", """{ "outcome": "noAnswer", "attemptNumber": 1 }"""),
        ("review", "/api/engagements/{id}/reviews", "application/json", """{ "reviewNumber": 1, "rescreen": { "phq9": [0, 0, 0, 0, 0, 0, 0, 0, 0] }, "closeWith": "goalsMet" }"""),
        ("closure-review", "/api/engagements/{id}/closure-review", "application/json", """{ "closureReviewNumber": 1, "decision": "close", "reason": "goalsMet" }"""),
        ("closure", "/api/engagements/{id}/closure", "application/json", """{ "reason": "goalsMet" }"""),
        ("provider-json", "/api/provider-responses/{token}", "application/json", """{ "response": "willCollaborate" }"""),
        (ProviderForm, "/api/provider-responses/{token}", "application/x-www-form-urlencoded", "response=willCollaborate"),
    ];

    private static readonly string[] WrongContentTypes =
    [
        "text/plain", "application/xml", "multipart/form-data; boundary=zz", "application/x-www-form-urlencoded", "application/json; charset=utf-16",
        "application/fhir+json", "application/merge-patch+json", "application/", "*/*", "text/html; charset=utf-8", "application/json;;;=", "APPLICATION/JSON",
    ];

    private static readonly string[] Accepts = ["text/html", "application/xml", "text/plain", "*/*", "application/json", "image/png, text/*;q=0.1"];

    private static readonly string[] WrongKinds = ["\"text\"", "12", "-1", "1.5", "true", "false", "null", "[]", "{}", "[1,\"a\",null]", "{\"a\":1}", "\"\"", "0"];

    private static readonly string[] HugeNumbers =
    [
        "1e400", "-1e400", "1e-400", "123456789012345678901234567890123456789012345678901234567890", "-0", "1E+2", "2147483648", "-2147483649",
        "9223372036854775808", "0.00000000000000000000000000000000000000000001", "79228162514264337593543950336", "1.7976931348623157e309",
    ];

    public static HostileRequest Create(int runSeed, int index)
    {
        var random = FuzzRandom.For(runSeed, index);
        var (target, path, contentType, template) = Targets[random.Next(Targets.Count)];
        var accept = random.Next(5) == 0 ? Accepts[random.Next(Accepts.Length)] : null;
        var (body, note, chunked) = target == ProviderForm ? MutateForm(template, random) : MutateJson(template, random);
        if (random.Next(7) == 0)
        {
            contentType = random.Next(6) == 0 ? null : WrongContentTypes[random.Next(WrongContentTypes.Length)];
            note += contentType is null ? "; no content type" : "; another content type";
        }

        return new HostileRequest(target, path, body, contentType, accept, chunked, note);
    }

    public static string Describe(int runSeed, int index, HostileRequest request) =>
        string.Create(CultureInfo.InvariantCulture,
            $"run seed {runSeed}, request {index}: POST {request.Target} ({request.Description}; {request.Body?.Length ?? 0} bytes{(request.Chunked ? ", chunked" : string.Empty)}; content type {request.ContentType ?? "none"}; accept {request.Accept ?? "none"})");

    private static (byte[]? Body, string Note, bool Chunked) MutateJson(string template, Random random)
    {
        var bytes = Encoding.UTF8.GetBytes(template);
        switch (random.Next(16))
        {
            case 0:
                return ReplaceValue(template, random, WrongKinds[random.Next(WrongKinds.Length)], "wrong JSON kind");
            case 1:
                return Edit(template, random, "field removed", (parent, key) => parent.Remove(key));
            case 2:
                return Edit(template, random, "field set to null", (parent, key) => parent[key] = null);
            case 3:
                var name = random.Next(2) == 0 ? "extra" : "x-" + Sentinel + "\u00e9 \\\"";
                return Edit(template, random, "unknown field", (parent, _) => parent[name] = Sentinel);
            case 4:
                return DuplicateProperty(template, random);
            case 5:
                var depth = new[] { 33, 65, 200, 1000, 10_000 }[random.Next(5)];
                var open = random.Next(2) == 0 ? "[" : "{\"a\":";
                var close = open == "[" ? "]" : "}";
                return ReplaceValue(template, random, string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)), $"nesting {depth} levels");
            case 6:
                return ReplaceValue(template, random, HugeNumbers[random.Next(HugeNumbers.Length)], "huge number");
            case 7:
                var length = random.Next(2) == 0 ? random.Next(1_000, 20_000) : random.Next(100_000, 250_000);
                return ReplaceValue(template, random, "\"" + string.Concat(Enumerable.Repeat(Sentinel, (length / Sentinel.Length) + 1)) + "\"", $"string of {length} characters");
            case 8:
                var over = (int)JsonLimit + random.Next(1, 50_000);
                var padded = template.TrimEnd().TrimEnd('}') + ", \"pad\": \"" + new string('x', over) + "\" }";
                return (Encoding.UTF8.GetBytes(padded), "above the JSON limit", random.Next(2) == 0);
            case 9:
                return InvalidUtf8(template, random);
            case 10:
                var surrogate = new[] { "\\ud800", "\\udfff", "\\udfff\\ud800", "\\ud83d" }[random.Next(4)];
                return random.Next(2) == 0
                    ? ReplaceValue(template, random, "\"a" + surrogate + "b\"", "lone surrogate escape in a value")
                    : Edit(template, random, "lone surrogate escape in a field name", (parent, _) => parent[Raw] = 1, raw: "\"" + surrogate + "\"", placeholderIsName: true);
            case 11:
                var cut = random.Next(bytes.Length);
                return (bytes[..cut], $"truncated at byte {cut}", false);
            case 12:
                var flipped = (byte[])bytes.Clone();
                var flips = random.Next(1, 6);
                for (var i = 0; i < flips; i++)
                {
                    flipped[random.Next(flipped.Length)] ^= (byte)random.Next(1, 256);
                }

                return (flipped, $"{flips} byte(s) flipped", false);
            case 13:
                var odd = new[] { string.Empty, " ", "\n\n", "null", "[]", "\"text\"", "0", "true", "{", "}", "{}", "[{}]", "\u0000", "{\"a\":1}{\"b\":2}" }[random.Next(14)];
                return (Encoding.UTF8.GetBytes(odd), "odd body", false);
            case 14:
                return random.Next(2) == 0
                    ? ([0xEF, 0xBB, 0xBF, .. bytes], "UTF-8 BOM", false)
                    : ([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(template)], "UTF-16 body", false);
            default:
                var at = random.Next(bytes.Length);
                return ([.. bytes[..at], (byte)random.Next(0, 32), .. bytes[at..]], $"control byte at {at}", false);
        }
    }

    private static (byte[]? Body, string Note, bool Chunked) MutateForm(string template, Random random)
    {
        string[] bodies =
        [
            "response=", "response", "response=WILLCOLLABORATE", "response=0", "response=1", "response=willCollaborate&response=declinedToCollaborate",
            "response=%zz", "response=%ff%fe", "=willCollaborate", "&&&", "response=will%00Collaborate", "response=" + Sentinel, "a=b&c=d",
            "response=willCollaborate&" + new string('x', ProviderLimit), "response=" + new string('9', 5000), string.Empty, "response=declinedToCollaborate%",
            "response=%C0%AF", "%%%%", "response=willCollaborate;response=x",
        ];
        var body = bodies[random.Next(bodies.Length)];
        var bytes = Encoding.UTF8.GetBytes(body);
        if (random.Next(4) == 0)
        {
            var at = random.Next(bytes.Length + 1);
            bytes = [.. bytes[..at], 0xFF, 0xC0, .. bytes[at..]];
            return (bytes, "form with invalid UTF-8", false);
        }

        return (bytes, "form", bytes.Length > ProviderLimit && random.Next(2) == 0);
    }

    /// <summary>Replaces a random value of the body with raw JSON text (which may be invalid on purpose).</summary>
    private static (byte[]? Body, string Note, bool Chunked) ReplaceValue(string template, Random random, string raw, string note) =>
        Edit(template, random, note, (parent, key) => parent[key] = Raw, raw);

    private static (byte[]? Body, string Note, bool Chunked) Edit(string template, Random random, string note, Action<JsonObject, string> edit, string? raw = null, bool placeholderIsName = false)
    {
        var root = JsonNode.Parse(template)!;
        var objects = Objects(root).ToList();
        var target = objects[random.Next(objects.Count)];
        var keys = target.Select(p => p.Key).ToList();
        var key = keys.Count == 0 ? "empty" : keys[random.Next(keys.Count)];
        edit(target, key);
        var text = root.ToJsonString();
        if (raw is not null)
        {
            text = text.Replace("\"" + Raw + "\"", raw, StringComparison.Ordinal);
        }

        return (Encoding.UTF8.GetBytes(text), $"{note} at a field of a {(placeholderIsName ? "body" : "JSON")} object", false);
    }

    private static IEnumerable<JsonObject> Objects(JsonNode node)
    {
        if (node is JsonObject obj)
        {
            yield return obj;
            foreach (var (_, child) in obj)
            {
                if (child is not null)
                {
                    foreach (var inner in Objects(child))
                    {
                        yield return inner;
                    }
                }
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array.Where(c => c is not null))
            {
                foreach (var inner in Objects(child!))
                {
                    yield return inner;
                }
            }
        }
    }

    private static (byte[]? Body, string Note, bool Chunked) DuplicateProperty(string template, Random random)
    {
        var root = (JsonObject)JsonNode.Parse(template)!;
        var (key, value) = root.ElementAt(random.Next(root.Count));
        var text = root.ToJsonString();
        var duplicate = "{" + System.Text.Json.JsonSerializer.Serialize(key) + ":" + (value?.ToJsonString() ?? "null") + ",";
        return (Encoding.UTF8.GetBytes(duplicate + text[1..]), "a field sent twice", false);
    }

    private static (byte[]? Body, string Note, bool Chunked) InvalidUtf8(string template, Random random)
    {
        byte[][] sequences = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC3]];
        var sequence = sequences[random.Next(sequences.Length)];
        var bytes = Encoding.UTF8.GetBytes(template);

        // Inside a string value or a field name: right after an opening quote.
        var quotes = Enumerable.Range(0, bytes.Length).Where(i => bytes[i] == '"').ToList();
        var at = quotes[random.Next(quotes.Count)] + 1;
        return ([.. bytes[..at], .. sequence, .. bytes[at..]], $"invalid UTF-8 after byte {at}", false);
    }
}
