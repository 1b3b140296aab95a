using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace OpsConsole.Components.Account;

/// <summary>
/// A password hash of nobody: a sign-in with an unknown user name verifies the password against it, so it costs
/// the same hashing time as a wrong password for a real account and does not reveal which names exist.
/// </summary>
public sealed class DummyPasswordHash
{
    private readonly IPasswordHasher<IdentityUser> _hasher;
    private readonly IdentityUser _nobody = new("nobody");
    private readonly string _hash;

    public DummyPasswordHash(Microsoft.Extensions.Options.IOptions<PasswordHasherOptions> options)
    {
        // The same algorithm and iteration count as Identity's hasher of real accounts.
        var hasher = new PasswordHasher<IdentityUser>(options);
        _hasher = hasher;
        _hash = hasher.HashPassword(_nobody, Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));
    }

    /// <summary>Always false, after the same work as checking a real password.</summary>
    public bool Verify(string password)
    {
        _ = _hasher.VerifyHashedPassword(_nobody, _hash, password);
        return false;
    }
}
