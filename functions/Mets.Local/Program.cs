using Mets.Api;
using Mets.Local;

// The local host: the whole product on one machine. See README.md beside this file.
// Settings (appsettings*.json) come from beside the program whatever the working directory is;
// the data folder is resolved against the working directory (Mets:DataFolder, default ./data).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddMetsApi(builder.Configuration);
builder.Services.AddMetsLocal(builder.Configuration);

var app = builder.Build();
app.MapMetsLocal();

return await app.RunMetsLocalAsync().ConfigureAwait(false);
