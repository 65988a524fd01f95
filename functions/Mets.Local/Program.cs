using Mets.Api;
using Mets.Local;

// The local host: the whole product on one machine. See README.md beside this file.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMetsApi(builder.Configuration);
builder.Services.AddMetsLocal(builder.Configuration);

var app = builder.Build();
app.MapMetsLocal();

return await app.RunMetsLocalAsync().ConfigureAwait(false);
