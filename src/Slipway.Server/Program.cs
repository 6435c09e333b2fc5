using Slipway.Server;

var app = await SlipwayServer.BuildAsync(args);
await app.RunAsync();
