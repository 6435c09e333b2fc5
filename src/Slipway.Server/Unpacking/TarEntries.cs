using System.Text;

namespace Slipway.Server.Unpacking;

/// <summary>
/// Reads a tar stream (ustar, PAX and GNU headers) one 512-byte block at a time, holding one
/// header and at most <see cref="ArchiveOptions.MaxHeaderBytes"/> of extended header at once.
/// <para>
/// Why not <c>System.Formats.Tar</c>: its <c>TarReader</c> reads a PAX extended header and a GNU
/// long name or link whole, into an array of the size the header declares, before a caller sees
/// the entry, and has no setting to bound that size (a GNU long name declaring 1 GiB allocates
/// 1 GiB); reading a header cannot be cancelled either. Checking the headers before handing the
/// stream on would mean parsing them here anyway, and decompressing twice, so the headers are
/// read here: the format is small (POSIX.1-1988 ustar, POSIX.1-2001 pax, GNU's 'L' and 'K').
/// </para>
/// </summary>
internal sealed class TarEntries(Stream stream, ArchiveKind kind, ArchiveRules rules) : IArchiveEntries
{
    private const int Block = 512;

    /// <summary>How many extended headers (PAX, GNU long name and link, PAX global) may stand before one entry.</summary>
    private const int MaxHeadersPerEntry = 8;

    private readonly Stream _stream = stream;
    private readonly byte[] _header = new byte[Block];
    private readonly byte[] _skip = new byte[64 << 10];
    private long _unread;
    private long _padding;

    public ArchiveKind Kind => kind;

    public Stream Content => field ??= new EntryData(this);

    public ArchiveEntry? Next()
    {
        Skip(_unread + _padding);
        _unread = _padding = 0;
        string? paxPath = null, paxLink = null, longName = null, longLink = null;
        long? paxSize = null;
        for (var headers = 0; ; headers++)
        {
            if (!ReadHeader())
            {
                return null;
            }

            var type = (char)_header[156];
            var size = Number(124, 12);
            var name = HeaderName();
            if (type is 'x' or 'g' or 'L' or 'K')
            {
                if (headers == MaxHeadersPerEntry)
                {
                    throw new ArchiveRejectedException($"Entry '{ArchiveExtractor.Shown(name)}' follows more than {MaxHeadersPerEntry} extended headers.");
                }

                var data = ReadMetadata(name, size, type is 'x' or 'g' ? "an extended (PAX) header" : type == 'L' ? "a long name" : "a long link target");
                switch (type)
                {
                    case 'x':
                        ReadPax(data, name, ref paxPath, ref paxLink, ref paxSize);
                        break;
                    case 'L':
                        longName = CString(data);
                        break;
                    case 'K':
                        longLink = CString(data);
                        break;
                }

                // A global header ('g') sets defaults such as mtime for the rest; nothing Slipway uses.
                continue;
            }

            name = paxPath ?? longName ?? name;
            var length = paxSize ?? size;
            var entryKind = type switch
            {
                '0' or '\0' or '7' => EntryKind.File,
                '5' or 'D' => EntryKind.Directory,
                '2' => EntryKind.Symlink,
                '1' => EntryKind.HardLink,
                _ => throw new ArchiveRejectedException($"Entry '{ArchiveExtractor.Shown(name)}' is {Describe(type)}; an archive may hold only files, folders and links."),
            };
            _unread = length;
            _padding = Padding(length);
            var link = entryKind is EntryKind.Symlink or EntryKind.HardLink ? paxLink ?? longLink ?? CString(_header.AsSpan(157, 100)) : null;
            return new ArchiveEntry(name, entryKind, length, link, (UnixFileMode)(Number(100, 8) & 0xFFF), null);
        }
    }

    public void Dispose() => _stream.Dispose();

    private static long Padding(long length) => (Block - (length % Block)) % Block;

    private static string Describe(char type) => type switch
    {
        '3' => "a character device",
        '4' => "a block device",
        '6' => "a FIFO",
        'S' => "a sparse file",
        'M' or 'N' or 'V' => $"a GNU multi-volume or label entry ('{type}')",
        _ when type is >= ' ' and <= '~' => $"an entry of type '{type}'",
        _ => $"an entry of type 0x{(int)type:x2}",
    };

    private static string CString(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }

    /// <summary>The next header, checksum verified; false at the end of the archive (a zero block, or the stream's end between entries).</summary>
    private bool ReadHeader()
    {
        var read = _stream.ReadAtLeast(_header, Block, throwOnEndOfStream: false);
        if (read == 0)
        {
            return false;
        }

        if (read < Block)
        {
            throw new EndOfStreamException("The archive ends inside a header.");
        }

        if (!_header.AsSpan().ContainsAnyExcept((byte)0))
        {
            return false;
        }

        long unsigned = 0, signed = 0;
        for (var i = 0; i < Block; i++)
        {
            var b = i is >= 148 and < 156 ? (byte)' ' : _header[i];
            unsigned += b;
            signed += (sbyte)b;
        }

        var stored = Number(148, 8);
        if (stored != unsigned && stored != signed)
        {
            throw new InvalidDataException("A tar header's checksum does not match its content.");
        }

        return true;
    }

    /// <summary>The header's own name: ustar keeps long names in two parts (prefix and name); GNU headers use that room for other fields.</summary>
    private string HeaderName()
    {
        var name = CString(_header.AsSpan(0, 100));
        var posix = _header.AsSpan(257, 6).SequenceEqual("ustar\0"u8);
        var prefix = posix ? CString(_header.AsSpan(345, 155)) : "";
        return prefix.Length > 0 ? prefix + "/" + name : name;
    }

    /// <summary>A numeric field: octal digits (space or NUL padded), or GNU's base-256 for values too large for octal.</summary>
    private long Number(int offset, int length)
    {
        var field = _header.AsSpan(offset, length);
        if ((field[0] & 0x80) != 0)
        {
            if (field[0] == 0xFF)
            {
                throw new InvalidDataException("A tar header holds a negative number.");
            }

            long big = field[0] & 0x7F;
            foreach (var b in field[1..])
            {
                if (big > (long.MaxValue >> 8))
                {
                    throw new InvalidDataException("A tar header holds a number too large to read.");
                }

                big = (big << 8) | b;
            }

            return big;
        }

        var i = 0;
        while (i < field.Length && field[i] is (byte)' ' or 0)
        {
            i++;
        }

        long value = 0;
        for (; i < field.Length && field[i] is >= (byte)'0' and <= (byte)'7'; i++)
        {
            if (value > (long.MaxValue >> 3))
            {
                throw new InvalidDataException("A tar header holds a number too large to read.");
            }

            value = (value << 3) | (uint)(field[i] - '0');
        }

        for (; i < field.Length; i++)
        {
            if (field[i] is not ((byte)' ' or 0))
            {
                throw new InvalidDataException("A tar header holds a number that is not octal.");
            }
        }

        return value;
    }

    /// <summary>The data of an extended header, refused before it is read when it declares more than <see cref="ArchiveOptions.MaxHeaderBytes"/>.</summary>
    private byte[] ReadMetadata(string name, long size, string what)
    {
        var max = rules.Shared.MaxHeaderBytes;
        if (size > max)
        {
            throw new ArchiveRejectedException(
                $"Entry '{ArchiveExtractor.Shown(name)}' has {what} of {size} bytes; at most {max} are read ({ArchiveOptions.Section}:MaxHeaderBytes).");
        }

        var data = new byte[size];
        _stream.ReadExactly(data);
        Skip(Padding(size));
        return data;
    }

    /// <summary>PAX records, <c>"&lt;length&gt; &lt;key&gt;=&lt;value&gt;\n"</c>: the path, link target and size they set for the next entry.</summary>
    private static void ReadPax(ReadOnlySpan<byte> data, string name, ref string? path, ref string? link, ref long? size)
    {
        while (data.Length > 0)
        {
            var space = data.IndexOf((byte)' ');
            if (space <= 0 || space > 19 || !long.TryParse(data[..space], System.Globalization.NumberStyles.None, null, out var length)
                || length <= space + 2 || length > data.Length || data[(int)length - 1] != (byte)'\n')
            {
                throw new InvalidDataException("A PAX extended header is malformed.");
            }

            var record = data[(space + 1)..((int)length - 1)];
            data = data[(int)length..];
            var equals = record.IndexOf((byte)'=');
            if (equals <= 0)
            {
                throw new InvalidDataException("A PAX extended header is malformed.");
            }

            var key = record[..equals];
            var value = record[(equals + 1)..];
            if (key.SequenceEqual("path"u8))
            {
                path = Encoding.UTF8.GetString(value);
            }
            else if (key.SequenceEqual("linkpath"u8))
            {
                link = Encoding.UTF8.GetString(value);
            }
            else if (key.SequenceEqual("size"u8))
            {
                size = value.Length is > 0 and <= 18 && long.TryParse(value, System.Globalization.NumberStyles.None, null, out var parsed)
                    ? parsed
                    : throw new InvalidDataException("A PAX extended header has a size that is not a number.");
            }
            else if (key.StartsWith("GNU.sparse."u8))
            {
                throw new ArchiveRejectedException($"Entry '{ArchiveExtractor.Shown(name)}' is a sparse file; an archive may hold only files, folders and links.");
            }
        }
    }

    /// <summary>Reads past <paramref name="count"/> bytes, a block at a time (the stream is not seekable once compressed).</summary>
    private void Skip(long count)
    {
        while (count > 0)
        {
            var read = _stream.Read(_skip, 0, (int)Math.Min(count, _skip.Length));
            if (read == 0)
            {
                throw new EndOfStreamException("The archive ends inside an entry's data.");
            }

            count -= read;
        }
    }

    /// <summary>The current entry's data: no more than it declared, and an early end of the archive is an error.</summary>
    private sealed class EntryData(TarEntries tar) : ReadOnlyStream
    {
        public override int Read(Span<byte> buffer)
        {
            if (tar._unread == 0 || buffer.Length == 0)
            {
                return 0;
            }

            var read = tar._stream.Read(buffer[..(int)Math.Min(buffer.Length, tar._unread)]);
            if (read == 0)
            {
                throw new EndOfStreamException("The archive ends inside an entry's data.");
            }

            tar._unread -= read;
            return read;
        }
    }
}
