using System.Security.Cryptography;
using System.Text;

namespace OpsConsole.Core.Common.Tabular;

/// <summary>Thrown by <see cref="TabularByteStream"/> when more than its limit is read.</summary>
public sealed class TabularFileTooLargeException : Exception;

/// <summary>
/// A read-only pass-through under a tabular reader: hashes what is read (SHA-256), checks it decodes in the expected
/// encoding (a strict streaming decoder; the 1-based line of the first bad byte is kept) and stops with
/// <see cref="TabularFileTooLargeException"/> past the size limit.
/// </summary>
public sealed class TabularByteStream(Stream inner, long maxBytes, Encoding strictEncoding) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Decoder _decoder = strictEncoding.GetDecoder();
    private readonly char[] _chars = new char[8192];
    private long _newlines;

    public long Bytes { get; private set; }
    public bool IsValidText => InvalidLine is null;

    /// <summary>The line holding the first byte that is not valid in the encoding (null: all valid so far).</summary>
    public long? InvalidLine { get; private set; }

    public bool TooLarge { get; private set; }

    public string Sha256()
    {
        if (IsValidText) Check([], flush: true);
        return Convert.ToHexStringLower(_hash.GetHashAndReset());
    }

    /// <summary>Reads what the reader left (trailing bytes after the last record), so the hash covers the whole file.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[65536];
        try
        {
            while (await ReadAsync(buffer, cancellationToken) > 0)
            {
            }
        }
        catch (TabularFileTooLargeException)
        {
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        return Seen(buffer.Span[..n]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Seen(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    private int Seen(ReadOnlySpan<byte> bytes)
    {
        if (TooLarge) throw new TabularFileTooLargeException();
        Bytes += bytes.Length;
        if (Bytes > maxBytes)
        {
            TooLarge = true;
            throw new TabularFileTooLargeException();
        }
        _hash.AppendData(bytes);
        if (IsValidText) Check(bytes, flush: false);
        if (IsValidText) _newlines += bytes.Count((byte)'\n');
        return bytes.Length;
    }

    private void Check(ReadOnlySpan<byte> bytes, bool flush)
    {
        var whole = bytes;
        try
        {
            while (true)
            {
                _decoder.Convert(bytes, _chars, flush, out var used, out var produced, out var completed);
                bytes = bytes[used..];
                if (completed || (used == 0 && produced == 0)) break;
            }
        }
        catch (DecoderFallbackException)
        {
            // The line: the newlines before this block, plus those of the block before the first line that does not decode.
            var line = _newlines + 1;
            var probe = strictEncoding.GetDecoder();
            foreach (var segment in Lines(whole))
            {
                try
                {
                    probe.Reset();
                    probe.GetCharCount(segment, flush: true);
                }
                catch (DecoderFallbackException)
                {
                    break;
                }
                line++;
            }
            InvalidLine = line;
        }
    }

    private static List<byte[]> Lines(ReadOnlySpan<byte> bytes)
    {
        var lines = new List<byte[]>();
        while (bytes.Length > 0)
        {
            var i = bytes.IndexOf((byte)'\n');
            if (i < 0)
            {
                lines.Add(bytes.ToArray());
                break;
            }
            lines.Add(bytes[..i].ToArray());
            bytes = bytes[(i + 1)..];
        }
        return lines;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _hash.Dispose();
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Bytes; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
