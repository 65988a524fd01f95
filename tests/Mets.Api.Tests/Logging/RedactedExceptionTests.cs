using Mets.Api.Logging;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;

namespace Mets.Api.Tests.Logging;

/// <summary>What the log gets for an exception: types and frames kept, messages through the member-data redactor.</summary>
public sealed class RedactedExceptionTests
{
    private const string Sentinel = "PLAN:ZQREDACT9931";

    private static Exception Thrown(Func<Exception> create)
    {
        try
        {
            throw create();
        }
        catch (Exception exception)
        {
            return exception;
        }
    }

    /// <summary>The redactor the hosts register for member data (Mets.Api's platform).</summary>
    private static Redactor HostsMemberDataRedactor()
    {
        var services = new ServiceCollection();
        services.AddMetsApiPlatform(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IRedactorProvider>().GetRedactor(MemberData.Set);
    }

    [Fact]
    public void MemberDataRedactor_ErasesTheValue()
    {
        var redactor = HostsMemberDataRedactor();

        Assert.Equal(string.Empty, redactor.Redact("member " + Sentinel));
    }

    [Fact]
    public void Messages_AreRedacted_TypesFramesAndInnerExceptionsKept_DataDropped()
    {
        var original = Thrown(() =>
        {
            var inner = Thrown(() => new FormatException("not a date: " + Sentinel));
            var outer = new InvalidOperationException("member " + Sentinel, inner);
            outer.Data["member"] = Sentinel;
            return outer;
        });

        var redacted = RedactedException.From(original, HostsMemberDataRedactor());
        var text = redacted.ToString();

        Assert.Equal("System.InvalidOperationException", redacted.OriginalType);
        Assert.Equal(RedactedException.RedactedMessage, redacted.Message);
        Assert.Equal(original.StackTrace, redacted.StackTrace);
        Assert.Contains(nameof(Thrown), redacted.StackTrace, StringComparison.Ordinal);
        var inner = Assert.Single(redacted.InnerExceptions);
        Assert.Same(inner, redacted.InnerException);
        Assert.Equal("System.FormatException", inner.OriginalType);
        Assert.Equal(original.InnerException!.StackTrace, inner.StackTrace);
        Assert.Empty(redacted.Data);
        Assert.StartsWith("System.InvalidOperationException: (message redacted) ---> System.FormatException: (message redacted)", text, StringComparison.Ordinal);
        Assert.Contains("--- End of inner exception stack trace ---", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Sentinel, text, StringComparison.Ordinal);
        Assert.Contains(Sentinel, original.ToString(), StringComparison.Ordinal); // what would have been logged
    }

    [Fact]
    public void AggregateException_EveryInnerExceptionIsRedacted()
    {
        var original = new AggregateException(
            Thrown(() => new ArgumentException("first " + Sentinel)),
            Thrown(() => new KeyNotFoundException("second " + Sentinel)));

        var redacted = RedactedException.From(original, ErasingRedactor.Instance);
        var text = redacted.ToString();

        Assert.Equal(["System.ArgumentException", "System.Collections.Generic.KeyNotFoundException"], redacted.InnerExceptions.Select(e => e.OriginalType));
        Assert.Contains("(Inner Exception #1) System.Collections.Generic.KeyNotFoundException: (message redacted)", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Sentinel, text, StringComparison.Ordinal);
    }

    [Fact]
    public void FrameworkDefaultMessages_CarryNoValues_AndAreKept()
    {
        Assert.Equal("The operation was canceled.", RedactedException.From(new OperationCanceledException(), ErasingRedactor.Instance).Message);
        Assert.Equal(new TimeoutException().Message, RedactedException.From(new TimeoutException(), ErasingRedactor.Instance).Message);

        // The same types with a message of the caller's are redacted.
        Assert.Equal(RedactedException.RedactedMessage, RedactedException.From(new OperationCanceledException("cancelled for " + Sentinel), ErasingRedactor.Instance).Message);
        Assert.Equal(RedactedException.RedactedMessage, RedactedException.From(new TimeoutException(Sentinel), ErasingRedactor.Instance).Message);
        Assert.Equal(RedactedException.RedactedMessage, RedactedException.From(new InvalidOperationException(), ErasingRedactor.Instance).Message);
    }
}
