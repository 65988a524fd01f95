using Mets.FunctionApp;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// The production app: Azure Functions (isolated worker, ASP.NET Core integration) + Durable Functions. The same
// service extensions as the local host, with the Azure adapters (Cosmos DB, Blob Storage, SendGrid) in place of the
// embedded ones; the durable backend is Durable Functions itself (no Mets.Durable here).
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddMetsFunctionApp(builder.Configuration);
builder.UseMetsFunctionMiddleware();
await builder.Build().RunAsync();
