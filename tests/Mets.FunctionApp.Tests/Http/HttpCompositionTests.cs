using System.Collections.Immutable;
using Mets.FunctionApp.Http;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moq;

namespace Mets.FunctionApp.Tests.Http;

/// <summary>The HTTP composition as Program.cs builds it: the middleware, the token validation settings and their checks.</summary>
public sealed class HttpCompositionTests : IDisposable
{
    private readonly string _dataFolder = Directory.CreateTempSubdirectory("mets-funcapp-composition-").FullName;

    public void Dispose() => Directory.Delete(_dataFolder, recursive: true);

    [Fact]
    public void App_ResolvesTheHttpMiddleware_AndValidatesTokensAgainstTheTenant()
    {
        using var app = FunctionAppTestHost.BuildApp(FunctionAppTestHost.Settings(_dataFolder));

        Assert.NotNull(app.Services.GetRequiredService<MetsHttpMiddleware>());
        var jwt = app.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(EntraDefaults.AuthenticationScheme);
        Assert.Equal(TestTokens.Issuer, jwt.Authority);
        Assert.False(jwt.MapInboundClaims);
        var validation = jwt.TokenValidationParameters;
        Assert.True(validation.ValidateIssuer && validation.ValidateAudience && validation.ValidateLifetime && validation.ValidateIssuerSigningKey);
        Assert.True(validation.RequireSignedTokens && validation.RequireExpirationTime);
        Assert.Equal(TestTokens.Issuer, validation.ValidIssuer);
        Assert.Equal(TestTokens.Audience, validation.ValidAudience);
        Assert.Equal(["RS256"], validation.ValidAlgorithms);
        Assert.Null(validation.IssuerSigningKey); // the keys come from the tenant's metadata only
        Assert.NotNull(jwt.ConfigurationManager);
    }

    [Fact]
    public void App_WithoutEntraSettings_FailsItsStartValidation_NamingEachSetting()
    {
        var settings = FunctionAppTestHost.Settings(_dataFolder);
        foreach (var key in settings.Keys.Where(k => k.StartsWith("Mets:Entra:", StringComparison.Ordinal)).ToList())
        {
            settings.Remove(key);
        }

        using var app = FunctionAppTestHost.BuildApp(settings);
        var failure = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<EntraOptions>>().Value);

        Assert.Contains(failure.Failures, f => f.StartsWith("Mets:Entra:TenantId is required", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.StartsWith("Mets:Entra:Audience is required", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.StartsWith("Mets:Entra:Callers must map at least one caller", StringComparison.Ordinal));
        Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IStartupValidator>().Validate());
    }

    [Fact]
    public void EntraOptions_BadValues_NameTheirSetting()
    {
        var options = new EntraOptions { Instance = "http://login.example/", TenantId = "contoso", Audience = "api" };
        options.Callers.Add(new EntraCaller { ObjectId = "not-a-guid", ClientId = TestTokens.DaemonClientId, User = "bad user!" });
        options.Callers.Add(new EntraCaller { ObjectId = TestTokens.ClinicianObjectId, User = "clinician.one" });
        options.Callers.Add(new EntraCaller { ObjectId = TestTokens.ClinicianObjectId.ToUpperInvariant(), User = "clinician.two" });

        var problems = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(r => r.ErrorMessage).ToList();

        Assert.Contains("Mets:Entra:Instance must be the https address of the Entra ID sign-in host (e.g. https://login.microsoftonline.com/).", problems);
        Assert.Contains("Mets:Entra:TenantId must be the directory (tenant) id, a GUID.", problems);
        Assert.Contains("Mets:Entra:Callers:0 must have exactly one of ObjectId (a person or service principal) and ClientId (a daemon application).", problems);
        Assert.Contains("Mets:Entra:Callers:0:ObjectId must be an object id (a GUID).", problems);
        Assert.Contains("Mets:Entra:Callers:0:User must be 1-64 letters, digits or . _ @ -.", problems);
        Assert.Contains(problems, p => p!.StartsWith("Mets:Entra:Callers:2 maps a caller that an earlier entry already maps", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p!.StartsWith("Mets:Entra:Callers:1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("httpTrigger", true)]
    [InlineData("blobTrigger", false)]
    [InlineData("timerTrigger", false)]
    [InlineData("orchestrationTrigger", false)]
    [InlineData("activityTrigger", false)]
    public void Middleware_RunsForHttpTriggersOnly(string trigger, bool expected)
    {
        var binding = new Mock<BindingMetadata>();
        binding.SetupGet(b => b.Type).Returns(trigger);
        var definition = new Mock<FunctionDefinition>();
        definition.SetupGet(d => d.InputBindings).Returns(ImmutableDictionary<string, BindingMetadata>.Empty.Add("input", binding.Object));
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.FunctionDefinition).Returns(definition.Object);

        Assert.Equal(expected, FunctionHttpServiceCollectionExtensions.IsHttpTriggered(context.Object));
    }
}
