using System.Security.Cryptography;
using System.Text;

namespace OpsConsole.Core.ApiClients;

/// <summary>API keys: <c>ocs_</c> + 32 random bytes in base62; stored only as their SHA-256.</summary>
public static class ApiKeys
{
    public const string Prefix = "ocs_";
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>A new key from the OS's CSPRNG: 32 bytes → 43 base62 characters.</summary>
    public static string NewKey()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return Prefix + Base62(bytes);
    }

    /// <summary>Base62 of a big-endian unsigned number, left-padded to the full width of its byte length.</summary>
    internal static string Base62(ReadOnlySpan<byte> bytes)
    {
        var n = new System.Numerics.BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        var width = (int)Math.Ceiling(bytes.Length * 8 / Math.Log2(62));
        var chars = new char[width];
        for (var i = width - 1; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(n % 62)];
            n /= 62;
        }
        return new string(chars);
    }

    /// <summary>True for something shaped like a key (so anything else is refused without a database look-up).</summary>
    public static bool LooksLikeKey(string? key) =>
        key is { Length: >= 36 and <= 128 } && key.StartsWith(Prefix, StringComparison.Ordinal) &&
        key.AsSpan(Prefix.Length).IndexOfAnyExcept(Alphabet) < 0;

    public static string Hash(string key) => Convert.ToHexStringLower(HashBytes(key));

    public static byte[] HashBytes(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Constant-time comparison of a presented key with a stored hash.</summary>
    public static bool Matches(string key, string storedHash)
    {
        Span<byte> stored = stackalloc byte[32];
        if (storedHash.Length != 64 || Convert.FromHexString(storedHash, stored, out _, out var written) !=
            System.Buffers.OperationStatus.Done || written != 32)
            return false;
        return CryptographicOperations.FixedTimeEquals(HashBytes(key), stored);
    }

    public static string Hint(string key) => key.Length <= 8 ? key : key[..8];
}
