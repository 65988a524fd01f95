using Mets.Api.Engagements;
using Mets.Api.Json;
using Mets.Api.Problems;
using Mets.Domain.Referrals;
using Mets.Workflow.Application;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mets.Api.Referrals;

/// <summary><c>POST /api/referrals</c>: a referral as METS JSON or as FHIR R4 (<c>application/fhir+json</c>).</summary>
public static class ReferralEndpoints
{
    public const string FhirJson = "application/fhir+json";

    public static RouteGroupBuilder MapReferrals(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapPost("/referrals", SubmitReferral)
            .WithName("SubmitReferral")
            .WithTags("Referrals")
            .WithSummary("Submit a referral (JSON, or FHIR R4 ServiceRequest as a Bundle or with contained resources).")
            .Accepts<SubmitReferralRequest>("application/json", FhirJson)
            .Produces<AcceptedResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return api;
    }

    internal static async Task<IResult> SubmitReferral(
        HttpRequest request,
        [FromServices] EngagementService engagements,
        [FromServices] TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        Referral referral;
        if (IsFhir(request.ContentType))
        {
            var limit = request.HttpContext.RequestServices.GetService<IOptions<ApiLimitsOptions>>()?.Value.MaxJsonBodyBytes ?? ApiLimitsOptions.DefaultMaxJsonBodyBytes;
            var bytes = await RequestBody.ReadCappedAsync(request, limit, cancellationToken);
            if (bytes is null)
            {
                return Problem.Of(StatusCodes.Status413PayloadTooLarge, "The request body is too large.", $"The body may be at most {limit} bytes.");
            }

            var read = FhirReferralReader.Read(bytes, now);
            if (read.Referral is null)
            {
                return read.Errors.ToProblem("The FHIR referral is not valid.");
            }

            referral = read.Referral;
        }
        else
        {
            var body = await RequestBody.ReadJsonAsync<SubmitReferralRequest>(request, cancellationToken);
            if (!body.IsValid)
            {
                return body.Problem;
            }

            var errors = new FieldErrors();
            var mapped = body.Value.ToReferral(now, errors);
            if (mapped is null)
            {
                return errors.ToProblem();
            }

            referral = mapped;
        }

        var result = await engagements.SubmitReferralAsync(referral, cancellationToken);
        return result.Outcome switch
        {
            _ when result.Succeeded && result.EngagementId is { } id =>
                TypedResults.Accepted(CommandAnswers.EngagementUri(id), new AcceptedResponse(id.Value, CommandAnswers.EngagementUri(id))),
            SubmitReferralOutcome.Conflict => Problem.WithCode(StatusCodes.Status409Conflict, "This referral id was already used for a different referral.",
                "Send a new referral id for a different referral.", "ReferralIdReused"),
            _ => CommandAnswers.Invalid(result.Errors),
        };
    }

    private static bool IsFhir(string? contentType) =>
        contentType is not null && contentType.Split(';', 2)[0].Trim().Equals(FhirJson, StringComparison.OrdinalIgnoreCase);
}
