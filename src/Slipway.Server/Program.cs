using Slipway.Server;
using Slipway.Server.Slugs;

if (args is [SlugStoreSetup.CopyCommand, ..])
{
    return await SlugStoreSetup.CopyFolderToS3Async(args[1..], Console.Out, CancellationToken.None);
}

var app = await SlipwayServer.BuildAsync(args);
await app.RunAsync();
return 0;
