using Mets.Api;
using Mets.Local;
using Mets.Local.Audit;

// The local host: the whole product on one machine. See README.md beside this file.
// Settings (appsettings*.json) come from beside the program whatever the working directory is;
// the data folder is resolved against the working directory (Mets:DataFolder, default ./data).
// `audit-export FILE` / `audit-check FILE` run the audit anchor commands instead (Audit/AuditAnchorCommand.cs).
var command = AuditAnchorCommand.Parse(args);
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = command?.SettingsArgs.ToArray() ?? args, ContentRootPath = AppContext.BaseDirectory });
if (command is not null)
{
    return await command.RunAsync(builder.Configuration, Console.Out, Console.Error).ConfigureAwait(false);
}

builder.Services.AddMetsApi(builder.Configuration);
builder.Services.AddMetsLocal(builder.Configuration);

var app = builder.Build();
app.MapMetsLocal();

return await app.RunMetsLocalAsync().ConfigureAwait(false);
