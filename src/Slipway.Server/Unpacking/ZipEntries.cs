using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Slipway.Server.Unpacking;

/// <summary>
/// Reads a zip (stored and deflated entries, Zip64 included) from a seekable stream, one
/// central-directory record at a time: the end record first, whose entry count is checked
/// before anything else is read, then each record and its entry's data, so no more than one
/// record is held. Not <c>ZipArchive</c>: it reads the whole central directory (every name and
/// extra field, for as many entries as the archive claims) before the first entry can be looked at.
/// The sizes declared in the directory are checked against the compression ratio up front; the
/// data is then held to them (and to the CRC-32) as it is read.
/// </summary>
internal sealed class ZipEntries : IArchiveEntries
{
    private const uint EndSignature = 0x06054b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint DirectorySignature = 0x02014b50;
    private const uint LocalSignature = 0x04034b50;
    private const int EndLength = 22;
    private const int DirectoryRecordLength = 46;
    private const int LocalHeaderLength = 30;

    private readonly Stream _file;
    private readonly ArchiveRules _rules;
    private readonly long _length;
    private readonly long _count;
    private readonly long _directoryEnd;
    private long _directory;
    private long _read;
    private long _declared;
    private Stream _content = Stream.Null;

    public ZipEntries(Stream file, ArchiveRules rules)
    {
        _file = file;
        _rules = rules;
        _length = file.Length;
        (_count, _directory, var size) = ReadEnd();
        _directoryEnd = _directory + size;
        if (_count > rules.MaxEntries)
        {
            throw ArchiveExtractor.TooManyEntries(rules);
        }
    }

    public ArchiveKind Kind => ArchiveKind.Zip;

    public Stream Content => _content;

    public ArchiveEntry? Next()
    {
        _content.Dispose();
        _content = Stream.Null;
        if (_read == _count)
        {
            return null;
        }

        var record = ReadAt(_directory, DirectoryRecordLength);
        if (BinaryPrimitives.ReadUInt32LittleEndian(record) != DirectorySignature)
        {
            throw new InvalidDataException("The zip's central directory is damaged.");
        }

        var flags = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(8));
        var method = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(10));
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(16));
        long compressed = BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(20));
        long length = BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(24));
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(28));
        var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(30));
        var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(32));
        var external = BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(38));
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(42));
        var variable = ReadAt(_directory + DirectoryRecordLength, nameLength + extraLength);
        _directory += DirectoryRecordLength + nameLength + extraLength + commentLength;
        _read++;
        if (_directory > _directoryEnd)
        {
            throw new InvalidDataException("The zip's central directory ends inside a record.");
        }

        var name = Encoding.UTF8.GetString(variable.AsSpan(0, nameLength));
        ReadZip64(variable.AsSpan(nameLength), ref length, ref compressed, ref offset);
        if ((flags & 1) != 0)
        {
            throw new ArchiveRejectedException($"Entry '{ArchiveExtractor.Shown(name)}' is encrypted.");
        }

        // Zips made on Unix keep the mode (and file type) in the high half of the external attributes.
        var unix = (external >> 16) & 0xFFFF;
        var type = unix & 0xF000;
        UnixFileMode? mode = unix != 0 ? (UnixFileMode)(unix & 0xFFF) : null;
        var kind = type switch
        {
            0xA000 => EntryKind.Symlink,
            0x4000 => EntryKind.Directory,
            _ when name.EndsWith('/') || name.EndsWith('\\') => EntryKind.Directory,
            0 or 0x8000 => EntryKind.File,
            _ => throw new ArchiveRejectedException($"Entry '{ArchiveExtractor.Shown(name)}' is {Describe(type)}; an archive may hold only files, folders and links."),
        };

        _declared += length;
        if (_declared > GuardedStream.RatioFloor && _declared > _rules.Shared.MaxCompressionRatio * Math.Max(1, _length))
        {
            throw ArchiveExtractor.TooCompressed(_rules.Shared.MaxCompressionRatio);
        }

        if (method is not (0 or 8))
        {
            throw new ArchiveRejectedException($"Entry '{ArchiveExtractor.Shown(name)}' is compressed with method {method}; Slipway reads stored and deflated zip entries.");
        }

        if (kind is EntryKind.File or EntryKind.Symlink)
        {
            _content = Open(offset, compressed, length, method);
        }

        return new ArchiveEntry(name, kind, length, kind == EntryKind.Symlink ? ReadLinkTarget(name, length) : null, mode, crc);
    }

    public void Dispose() => _content.Dispose();

    private static string Describe(uint type) => type switch
    {
        0x2000 => "a character device",
        0x6000 => "a block device",
        0x1000 => "a FIFO",
        0xC000 => "a socket",
        _ => "a special file",
    };

    /// <summary>The entry count, offset and size of the central directory, from the end record (or its Zip64 form).</summary>
    private (long Count, long Offset, long Size) ReadEnd()
    {
        if (_length < EndLength)
        {
            throw new InvalidDataException("The zip is too short to hold its end record.");
        }

        // The end record sits at the very end, after a comment of at most 64 KiB.
        var tailLength = (int)Math.Min(_length, EndLength + ushort.MaxValue);
        var tail = ReadAt(_length - tailLength, tailLength);
        var at = tailLength - EndLength;
        while (at >= 0 && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at)) != EndSignature)
        {
            at--;
        }

        if (at < 0)
        {
            throw new InvalidDataException("The zip has no end of central directory record.");
        }

        var end = tail.AsSpan(at);
        long disk = BinaryPrimitives.ReadUInt16LittleEndian(end[4..]);
        long directoryDisk = BinaryPrimitives.ReadUInt16LittleEndian(end[6..]);
        long count = BinaryPrimitives.ReadUInt16LittleEndian(end[10..]);
        long size = BinaryPrimitives.ReadUInt32LittleEndian(end[12..]);
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(end[16..]);
        if (count == ushort.MaxValue || size == uint.MaxValue || offset == uint.MaxValue)
        {
            var locatorAt = _length - tailLength + at - 20;
            var locator = locatorAt >= 0 ? ReadAt(locatorAt, 20) : [];
            if (locator.Length == 0 || BinaryPrimitives.ReadUInt32LittleEndian(locator) != Zip64LocatorSignature)
            {
                throw new InvalidDataException("The zip's Zip64 end record is missing.");
            }

            var endAt = BinaryPrimitives.ReadUInt64LittleEndian(locator.AsSpan(8));
            var zip64 = endAt <= (ulong)(_length - 56) ? ReadAt((long)endAt, 56) : [];
            if (zip64.Length == 0 || BinaryPrimitives.ReadUInt32LittleEndian(zip64) != Zip64EndSignature)
            {
                throw new InvalidDataException("The zip's Zip64 end record is damaged.");
            }

            disk = BinaryPrimitives.ReadUInt32LittleEndian(zip64.AsSpan(16));
            directoryDisk = BinaryPrimitives.ReadUInt32LittleEndian(zip64.AsSpan(20));
            count = Within(BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(32)));
            size = Within(BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(40)));
            offset = Within(BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(48)));
        }

        if (disk != 0 || directoryDisk != 0)
        {
            throw new ArchiveRejectedException("The zip is split across several files; Slipway reads single-file zips.");
        }

        return offset + size <= _length
            ? (count, offset, size)
            : throw new InvalidDataException("The zip's central directory lies past its end.");
    }

    private long Within(ulong value) => value <= (ulong)_length ? (long)value : throw new InvalidDataException("The zip's Zip64 end record is damaged.");

    /// <summary>Sizes and offset too large for 32 bits are in the Zip64 extra field (ID 1), in that order, each only when its field says 0xFFFFFFFF.</summary>
    private void ReadZip64(ReadOnlySpan<byte> extra, ref long length, ref long compressed, ref long offset)
    {
        if (length != uint.MaxValue && compressed != uint.MaxValue && offset != uint.MaxValue)
        {
            return;
        }

        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            var size = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (4 + size > extra.Length)
            {
                break;
            }

            var data = extra.Slice(4, size);
            extra = extra[(4 + size)..];
            if (id != 1)
            {
                continue;
            }

            length = length == uint.MaxValue ? Field(ref data) : length;
            compressed = compressed == uint.MaxValue ? Field(ref data) : compressed;
            offset = offset == uint.MaxValue ? Field(ref data) : offset;
            return;
        }

        throw new InvalidDataException("A zip entry's Zip64 sizes are missing.");

        long Field(ref ReadOnlySpan<byte> data)
        {
            if (data.Length < 8)
            {
                throw new InvalidDataException("A zip entry's Zip64 sizes are damaged.");
            }

            var value = Within(BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
            return value;
        }
    }

    /// <summary>The entry's data as stored (from its local header on), inflated when deflated.</summary>
    private Stream Open(long offset, long compressed, long length, ushort method)
    {
        var local = ReadAt(offset, LocalHeaderLength);
        if (BinaryPrimitives.ReadUInt32LittleEndian(local) != LocalSignature)
        {
            throw new InvalidDataException("A zip entry's local header is damaged.");
        }

        var start = offset + LocalHeaderLength + BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(26)) + BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(28));
        if (start + compressed > _length || (method == 0 && compressed != length))
        {
            throw new InvalidDataException("A zip entry's sizes do not fit the archive.");
        }

        var slice = new SliceStream(_file, start, compressed);
        return method == 8 ? new DeflateStream(slice, CompressionMode.Decompress) : slice;
    }

    private string ReadLinkTarget(string name, long length)
    {
        var max = _rules.Shared.MaxPathLength;
        if (length > max)
        {
            throw new ArchiveRejectedException($"Symlink '{ArchiveExtractor.Shown(name)}' has a target of {length} bytes; at most {max} are allowed ({ArchiveOptions.Section}:MaxPathLength).");
        }

        var target = new byte[length];
        _content.ReadExactly(target);
        return Encoding.UTF8.GetString(target);
    }

    private byte[] ReadAt(long offset, int count)
    {
        if (offset < 0 || offset + count > _length)
        {
            throw new InvalidDataException("The zip ends before a record it points to.");
        }

        var bytes = new byte[count];
        _file.Position = offset;
        _file.ReadExactly(bytes);
        return bytes;
    }
}
