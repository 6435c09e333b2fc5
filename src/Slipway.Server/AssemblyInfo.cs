// Slipway runs apps as Unix process groups; it is built for Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
