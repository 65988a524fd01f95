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
        services.AddOptions<HostOptions>()
            .Configure<IOptions<LocalHostOptions>>((host, local) => host.ShutdownTimeout = local.Value.ShutdownTimeout);

        services.AddSingleton<LocalDataFolder>();
        services.AddSingleton<LocalKeyFiles>();
        services.AddSingleton<IPostConfigureOptions<ApiAccessOptions>>(sp => sp.GetRequiredService<LocalKeyFiles>());
        services.AddHostedService<LocalStartBanner>();
        return services;
    }
}
