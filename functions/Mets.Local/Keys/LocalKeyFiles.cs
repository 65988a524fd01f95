using System.Buffers.Text;
using System.Security.Cryptography;
using Mets.Api.Authentication;
using Mets.Local.Data;
using Mets.Local.Startup;
using Microsoft.Extensions.Options;

namespace Mets.Local.Keys;

/// <summary>
/// Fills in the keys the configuration leaves out: when <c>Mets:ApiKeys</c> is empty, the API key
/// in <c>keys/api.key</c> (generated on first run, reused afterwards) stands for <c>Mets:LocalUser</c>;
/// when <c>Mets:AdminKey</c> is empty, the admin key in <c>keys/admin.key</c>. Keys are 256 random
/// bits, written once with owner-only permissions. Runs before the key options are validated.
/// </summary>
public sealed class LocalKeyFiles(LocalDataFolder dataFolder, IOptions<LocalHostOptions> hostOptions) : IPostConfigureOptions<ApiAccessOptions>
{
    /// <summary>The API key read from or written to the data folder; null when keys are configured.</summary>
    public string? GeneratedApiKey { get; private set; }

    /// <summary>True when this start created the API key file.</summary>
    public bool ApiKeyCreated { get; private set; }

    /// <summary>True when the admin key comes from <c>keys/admin.key</c>.</summary>
    public bool AdminKeyFromFile { get; private set; }

    public int ConfiguredApiKeys { get; private set; }

    public void PostConfigure(string? name, ApiAccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ConfiguredApiKeys = options.ApiKeys.Count;
        if (options.ApiKeys.Count == 0)
        {
            dataFolder.EnsureCreated();
            var (key, created) = ReadOrCreate(dataFolder.ApiKeyFile);
            options.ApiKeys.Add(new ApiKeyEntry { Key = key, User = hostOptions.Value.LocalUser });
            GeneratedApiKey = key;
            ApiKeyCreated |= created; // Post-configured once per options cache; the first one may create the file.
        }

        if (string.IsNullOrEmpty(options.AdminKey))
        {
            dataFolder.EnsureCreated();
            options.AdminKey = ReadOrCreate(dataFolder.AdminKeyFile).Key;
            AdminKeyFromFile = true;
        }
    }

    /// <summary>Reads the key in <paramref name="path"/>, or writes a new one (256 random bits, base64url or base64) with owner-only permissions.</summary>
    internal static (string Key, bool Created) ReadOrCreate(string path, bool base64 = false)
    {
        if (!File.Exists(path))
        {
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            var bytes = RandomNumberGenerator.GetBytes(32);
            var key = base64 ? Convert.ToBase64String(bytes) : Base64Url.EncodeToString(bytes);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var writer = new StreamWriter(temporary, options))
            {
                writer.Write(key);
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
                return (key, true);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use that one.
                File.Delete(temporary);
            }
        }

        var stored = File.ReadAllText(path).Trim();
        if (stored.Length < ApiAccessOptions.MinimumKeyLength)
        {
            throw new LocalStartupException(
                $"The key file {path} holds fewer than {ApiAccessOptions.MinimumKeyLength} characters. Delete it to have a new key generated.");
        }

        return (stored, false);
    }
}
