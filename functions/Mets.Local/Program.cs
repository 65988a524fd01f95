using Mets.Api.Health;

var builder = WebApplication.CreateBuilder(args);

var app = builder.Build();

app.MapHealth("local", new Dictionary<string, string>
{
    ["engine"] = "none",
    ["cases"] = "none",
    ["claims"] = "none",
    ["mail"] = "none",
});

await app.RunAsync().ConfigureAwait(false);
