namespace Slipway.Server.Unpacking;

/// <summary>A read-only, forward-only stream; the streams of the archive reader only read.</summary>
internal abstract class ReadOnlyStream : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public abstract override int Read(Span<byte> buffer);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Counts the bytes read through it: the compressed side of an archive, for the compression ratio.</summary>
internal sealed class CountingStream(Stream inner) : ReadOnlyStream
{
    public long Count { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Count += read;
        return read;
    }
}

/// <summary>
/// What the archive readers read from: it checks the cancellation token before every read (so a
/// cancelled unpack stops within one block, whatever the archive declares) and, over a
/// decompressor, refuses output that grows past <see cref="ArchiveOptions.MaxCompressionRatio"/>
/// times the compressed bytes consumed, once past a floor small archives never reach.
/// </summary>
internal sealed class GuardedStream(Stream inner, CountingStream? compressed, int maxRatio, CancellationToken ct) : ReadOnlyStream
{
    /// <summary>The output every archive may have before its ratio counts: tar headers and padding make tiny archives look very compressible.</summary>
    public const long RatioFloor = 16L << 20;

    private long _produced;

    public override int Read(Span<byte> buffer)
    {
        ct.ThrowIfCancellationRequested();
        var read = inner.Read(buffer);
        _produced += read;
        if (compressed is not null && _produced > RatioFloor && _produced > maxRatio * Math.Max(1, compressed.Count))
        {
            throw ArchiveExtractor.TooCompressed(maxRatio);
        }

        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary><paramref name="length"/> bytes of a seekable stream from <paramref name="start"/>; it seeks before each read, as the zip reader moves between the directory and the data.</summary>
internal sealed class SliceStream(Stream inner, long start, long length) : ReadOnlyStream
{
    private long _position;

    public override int Read(Span<byte> buffer)
    {
        var wanted = (int)Math.Min(buffer.Length, length - _position);
        if (wanted <= 0)
        {
            return 0;
        }

        inner.Position = start + _position;
        var read = inner.Read(buffer[..wanted]);
        if (read == 0)
        {
            throw new EndOfStreamException("The archive ends inside an entry's data.");
        }

        _position += read;
        return read;
    }
}

/// <summary>Bytes already read from a stream that cannot seek (to tell the archive's kind), then the rest of it.</summary>
internal sealed class PrefixedStream(byte[] prefix, Stream rest) : ReadOnlyStream
{
    private int _position;

    public override int Read(Span<byte> buffer)
    {
        if (_position < prefix.Length)
        {
            var count = Math.Min(buffer.Length, prefix.Length - _position);
            prefix.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        return rest.Read(buffer);
    }
}

/// <summary>The CRC-32 (IEEE) that zip entries carry; the framework has none built in.</summary>
internal static class Crc32
{
    public const uint Initial = 0xFFFFFFFF;

    private static readonly uint[] Table = BuildTable();

    public static uint Append(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    public static uint Finish(uint crc) => crc ^ 0xFFFFFFFF;

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
