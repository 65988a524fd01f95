using System.Globalization;
using Mets.Api.Authentication;
using Mets.Local.Data;
using Mets.Local.Keys;
using Mets.Local.Startup;
using Microsoft.Extensions.Options;

namespace Mets.Local;

/// <summary>The local host's running concerns: its options, data folder, key files, start banner, shutdown.</summary>
public static class LocalServiceCollectionExtensions
{
    public static IServiceCollection AddMetsLocal(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<LocalHostOptions>()
            .BindConfiguration(LocalHostOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // HostOptions are read while the host is built, before LocalHostOptions are validated: take the
        // raw value when it is in range and leave a bad one to the start-up validation to report.
        services.Configure<HostOptions>(host =>
        {
            var timeout = configuration.GetSection(LocalHostOptions.SectionName)[nameof(LocalHostOptions.ShutdownTimeout)];
            if (TimeSpan.TryParse(timeout, CultureInfo.InvariantCulture, out var value)
                && value >= TimeSpan.FromSeconds(1) && value <= TimeSpan.FromMinutes(10))
            {
                host.ShutdownTimeout = value;
            }
            else
            {
                host.ShutdownTimeout = new LocalHostOptions().ShutdownTimeout;
            }
        });

        services.AddSingleton<LocalDataFolder>();
        services.AddSingleton<LocalKeyFiles>();
        services.AddSingleton<IPostConfigureOptions<ApiAccessOptions>>(sp => sp.GetRequiredService<LocalKeyFiles>());
        services.AddHostedService<LocalStartBanner>();
        return services;
    }
}
