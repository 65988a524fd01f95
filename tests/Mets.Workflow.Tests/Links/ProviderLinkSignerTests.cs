using Mets.Domain.Identifiers;
using Mets.Workflow.Links;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Mets.Workflow.Tests.Links;

public class ProviderLinkSignerTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly OutreachId Outreach = OutreachId.For(EngagementId.New(Guid.Parse("0b7e6a5c-1f2d-4c3b-9a8e-7d6c5b4a3f21")), Sample.ProviderA);

    [Fact]
    public void Verify_FreshToken_GrantsTheOutreachUntilExpiry()
    {
        var (signer, _) = Signer("k1");
        var rejection = signer.Verify(signer.CreateToken(Outreach, T0), out var link);
        Assert.Equal(ProviderLinkRejection.None, rejection);
        Assert.Equal(Outreach, link!.Outreach);
        Assert.Equal(Outreach.Engagement, link.Engagement);
        Assert.Equal(Sample.ProviderA, link.Provider);
        Assert.Equal(T0 + TimeSpan.FromDays(30), link.ExpiresAt);
        Assert.Equal("k1", link.KeyId);
    }

    [Fact]
    public void Verify_AtExpiry_IsExpired()
    {
        var (signer, time) = Signer("k1");
        var token = signer.CreateToken(Outreach, T0);
        time.SetUtcNow(T0 + TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        Assert.Equal(ProviderLinkRejection.None, signer.Verify(token, out _));
        time.SetUtcNow(T0 + TimeSpan.FromDays(30));
        Assert.Equal(ProviderLinkRejection.Expired, signer.Verify(token, out var link));
        Assert.Null(link);
    }

    [Fact]
    public void Verify_AnyAlteredCharacter_IsInvalid()
    {
        var (signer, _) = Signer("k1");
        var token = signer.CreateToken(Outreach, T0);
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        for (var i = 0; i < 200; i++)
        {
            var position = random.Next(token.Length);
            var replacement = token[position] == 'A' ? 'B' : 'A';
            var altered = string.Concat(token.AsSpan(0, position), replacement.ToString(), token.AsSpan(position + 1));
            Assert.True(signer.Verify(altered, out _) != ProviderLinkRejection.None, $"seed {seed}: altered position {position} accepted");
        }
    }

    [Fact]
    public void Verify_SameBytesSpelledAnotherWay_IsInvalid()
    {
        // The signature (32 bytes) is 43 base64url characters: its last one carries two unused bits, which the canonical
        // spelling keeps zero. Padding, white space and a set unused bit decode to the same bytes
        // in lenient decoders; each is refused, so no two different tokens carry one signature.
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var (signer, _) = Signer("k1");
        var token = signer.CreateToken(Outreach, T0);
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        Assert.Equal(43, token.Length - dot - 1);
        var last = Alphabet.IndexOf(token[^1], StringComparison.Ordinal);
        Assert.Equal(0, last & 3);
        string[] respelled =
        [
            token[..^1] + Alphabet[last | 1],
            token + "=",
            token[..(dot + 4)] + " " + token[(dot + 4)..],
            token[..2] + "\n" + token[2..],
        ];

        Assert.Equal(ProviderLinkRejection.None, signer.Verify(token, out _));
        foreach (var variant in respelled)
        {
            Assert.Equal(ProviderLinkRejection.Invalid, signer.Verify(variant, out _));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("a.b")]
    [InlineData("....")]
    public void Verify_Garbage_IsInvalid(string token)
    {
        var (signer, _) = Signer("k1");
        Assert.Equal(ProviderLinkRejection.Invalid, signer.Verify(token, out _));
    }

    [Fact]
    public void Rotation_OldKeyStillVerifies_RemovedKeyDoesNot_OtherSecretDoesNot()
    {
        var (old, _) = Signer("k1");
        var token = old.CreateToken(Outreach, T0);
        var (rotated, _) = Signer("k2");
        Assert.Equal(ProviderLinkRejection.None, rotated.Verify(token, out var link));
        Assert.Equal("k1", link!.KeyId);
        Assert.Equal("k2", (rotated.Verify(rotated.CreateToken(Outreach, T0), out var newer), newer!.KeyId).Item2);

        var (withoutK1, _) = Signer("k2", includeK1: false);
        Assert.Equal(ProviderLinkRejection.Invalid, withoutK1.Verify(token, out _));
        var (otherSecret, _) = Signer("k1", k1Secret: Convert.ToBase64String(new byte[32]));
        Assert.Equal(ProviderLinkRejection.Invalid, otherSecret.Verify(token, out _));
    }

    [Fact]
    public void CreateLink_AppendsTheTokenToTheBaseUrl()
    {
        var (signer, _) = Signer("k1");
        var link = signer.CreateLink(Outreach, T0);
        Assert.StartsWith("https://mets.plan.example/provider-responses/", link.ToString(), StringComparison.Ordinal);
        Assert.Equal(ProviderLinkRejection.None, signer.Verify(link.Segments[^1], out _));
    }

    [Fact]
    public void Options_ShortKeyAndUnknownActiveKey_AreReportedByName()
    {
        var options = new ProviderLinkOptions { BaseUrl = "not a url", ActiveKeyId = "missing" };
        options.Keys["k1"] = Convert.ToBase64String(new byte[8]);
        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(e => e.ErrorMessage).ToList();
        Assert.Contains("Mets:ProviderLinks:BaseUrl must be an absolute http(s) URL.", errors);
        Assert.Contains("Mets:ProviderLinks:ActiveKeyId must name one of Mets:ProviderLinks:Keys.", errors);
        Assert.Contains("Mets:ProviderLinks:Keys:k1 must be base64 of at least 32 bytes.", errors);
    }

    private static (ProviderLinkSigner Signer, FakeTimeProvider Time) Signer(string active, bool includeK1 = true, string? k1Secret = null)
    {
        var options = new ProviderLinkOptions { BaseUrl = "https://mets.plan.example/provider-responses", ActiveKeyId = active };
        if (includeK1)
        {
            options.Keys["k1"] = k1Secret ?? Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        }

        options.Keys["k2"] = Convert.ToBase64String(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray());
        var time = new FakeTimeProvider(T0);
        return (new ProviderLinkSigner(Options.Create(options), time), time);
    }
}
