#:sdk Microsoft.NET.Sdk.Web
#:package Yarp.ReverseProxy@2.3.0
#:property ManagePackageVersionsCentrally=false
#:property ServerGarbageCollection=true

// The least a .NET forwarder can be: Kestrel and YARP's forwarder in a process of their own, every
// request to one address, nothing else (no route table, no log, no other work in the process).
// It measures how close the router can come to nginx on this machine whatever Slipway does around
// it. Usage: dotnet run -c Release forwarder.cs -- <port> <destination prefix>
// (see bench/README.md, "Router: the bare forwarder").
using System.Globalization;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

if (args.Length != 2 || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
{
    Console.Error.WriteLine("usage: forwarder.cs <port> <destination prefix, e.g. http://127.0.0.1:8080/>");
    return 2;
}

var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port);
});
builder.Services.AddHttpForwarder();
var app = builder.Build();
using var client = new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
    ActivityHeadersPropagator = null,
    MaxConnectionsPerServer = int.MaxValue,
});
var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
var config = new ForwarderRequestConfig { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
app.Run(async context => await forwarder.SendAsync(context, args[1], client, config, HttpTransformer.Empty));
await app.RunAsync();
return 0;
