using Microsoft.AspNetCore.DataProtection;

namespace Slipway.Server.AutoDeploy;

/// <summary>Encrypts the tokens and webhook secrets auto-deploy keeps (Data Protection, keys in the data folder).</summary>
public sealed class AutoDeploySecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Slipway.AutoDeploy.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
