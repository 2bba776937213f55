using System.Text.Json;

namespace Lfm2Vl.Nn.Serialization;

/// <summary>One tensor in a safetensors header. Offsets are relative to the start of the data section.</summary>
public sealed record SafetensorsEntry(string Name, SafetensorsDType DType, int[] Shape, int Numel, long Begin, long End)
{
    public long ByteLength => End - Begin;
}

/// <summary>
/// A parsed and fully validated safetensors header: every entry's dtype is known, its shape is non-negative
/// and its byte length matches, and the entries tile the data section exactly (no overlap, no gap, nothing
/// past the end). Nothing is allocated for tensor data until this has passed.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>Largest header accepted (the format's own reference reader uses the same bound).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private SafetensorsHeader(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata, long dataOffset, long dataLength)
    {
        Entries = entries;
        Metadata = metadata;
        DataOffset = dataOffset;
        DataLength = dataLength;
    }

    /// <summary>Entries in header order.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    /// <summary>Byte position of the data section in the file (8 + header length).</summary>
    public long DataOffset { get; }
    public long DataLength { get; }

    /// <summary>Reads and validates the header of a seekable stream positioned anywhere; leaves it after the header.</summary>
    public static SafetensorsHeader Read(Stream stream, string source)
    {
        if (!stream.CanSeek || !stream.CanRead) throw new ArgumentException("Safetensors needs a readable, seekable stream.", nameof(stream));
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw Invalid(source, $"it has {fileLength} bytes, fewer than the 8-byte header length that starts the format (truncated or not a safetensors file).");
        stream.Position = 0;
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong declared = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (declared > MaxHeaderBytes)
            throw Invalid(source, $"it declares a header of {declared} bytes, more than the {MaxHeaderBytes}-byte limit (corrupt or hostile file).");
        if ((long)declared > fileLength - 8)
            throw Invalid(source, $"it declares a header of {declared} bytes but only {fileLength - 8} bytes follow the length (truncated file).");
        if (declared < 2)
            throw Invalid(source, $"its header is {declared} bytes long; even an empty header needs 2 ('{{}}').");
        var json = new byte[declared];
        stream.ReadExactly(json);
        long dataOffset = 8 + (long)declared;
        return Parse(json, dataOffset, fileLength - dataOffset, source);
    }

    internal static SafetensorsHeader Parse(ReadOnlyMemory<byte> json, long dataOffset, long dataLength, string source)
    {
        // The JSON parser checks UTF-8 only in values it decodes, so names are checked here, up front.
        if (!System.Text.Unicode.Utf8.IsValid(json.Span))
            throw Invalid(source, "its header is not valid UTF-8.");
        JsonDocument doc;
        try
        {
            // Parse rejects anything but whitespace (the format's padding) after the object.
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw Invalid(source, $"its header is not valid JSON ({e.Message}).", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Invalid(source, $"its header must be a JSON object, found {root.ValueKind}.");
            var entries = new List<SafetensorsEntry>();
            var metadata = new Dictionary<string, string>();
            var names = new HashSet<string>();
            foreach (var prop in root.EnumerateObject())
            {
                if (!names.Add(prop.Name)) throw Invalid(source, $"its header names '{prop.Name}' twice.");
                if (prop.Name == "__metadata__") ReadMetadata(prop.Value, metadata, source);
                else entries.Add(ReadEntry(prop.Name, prop.Value, dataLength, source));
            }
            CheckTiling(entries, dataLength, source);
            return new SafetensorsHeader(entries, metadata, dataOffset, dataLength);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid(source, $"'__metadata__' must be an object of strings, found {value.ValueKind}.");
        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
                throw Invalid(source, $"metadata entry '{m.Name}' must be a string, found {m.Value.ValueKind}.");
            if (!metadata.TryAdd(m.Name, m.Value.GetString()!)) throw Invalid(source, $"metadata names '{m.Name}' twice.");
        }
    }

    private static SafetensorsEntry ReadEntry(string name, JsonElement value, long dataLength, string source)
    {
        if (name.Length == 0) throw Invalid(source, "a tensor has an empty name.");
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid(source, $"tensor '{name}' must be described by an object, found {value.ValueKind}.");
        if (!value.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String)
            throw Invalid(source, $"tensor '{name}' has no string 'dtype'.");
        if (!SafetensorsDTypes.TryParse(dt.GetString(), out var dtype))
            throw Invalid(source, $"tensor '{name}' has dtype '{dt.GetString()}', which is not supported (known: F32, F64, I32, F16, BF16, I64).");

        if (!value.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array)
            throw Invalid(source, $"tensor '{name}' has no 'shape' array.");
        var shape = new int[sh.GetArrayLength()];
        long numel = 1;
        int i = 0;
        foreach (var d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim))
                throw Invalid(source, $"tensor '{name}' has a shape entry that is not an integer ({d.GetRawText()}).");
            if (dim < 0) throw Invalid(source, $"tensor '{name}' has the negative dimension {dim}.");
            if (dim > int.MaxValue) throw Invalid(source, $"tensor '{name}' has the dimension {dim}, larger than the engine supports.");
            shape[i++] = (int)dim;
            // Saturate instead of overflowing; the limit check below catches it (a zero dimension resets nothing: 0 stays 0).
            numel = numel == 0 || dim == 0 ? 0 : numel > int.MaxValue ? numel : numel * dim;
        }
        if (numel > int.MaxValue) throw Invalid(source, $"tensor '{name}' has more than {int.MaxValue} elements ({FormatShape(shape)}).");

        if (!value.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Invalid(source, $"tensor '{name}' has no 'data_offsets' pair.");
        var o0 = off[0]; var o1 = off[1];
        if (o0.ValueKind != JsonValueKind.Number || o1.ValueKind != JsonValueKind.Number || !o0.TryGetInt64(out long begin) || !o1.TryGetInt64(out long end))
            throw Invalid(source, $"tensor '{name}' has data_offsets that are not integers ({off.GetRawText()}).");
        if (begin < 0 || end < begin)
            throw Invalid(source, $"tensor '{name}' has data_offsets [{begin}, {end}]; they must satisfy 0 <= begin <= end.");
        if (end > dataLength)
            throw Invalid(source, $"tensor '{name}' ends at byte {end} of the data section, which has only {dataLength} bytes (truncated file?).");
        long expected = numel * dtype.SizeInBytes();
        if (end - begin != expected)
            throw Invalid(source, $"tensor '{name}' ({dtype} {FormatShape(shape)}) needs {expected} bytes but its data_offsets [{begin}, {end}] span {end - begin}.");
        return new SafetensorsEntry(name, dtype, shape, (int)numel, begin, end);
    }

    /// <summary>The entries, sorted by offset, must cover [0, dataLength) exactly once.</summary>
    private static void CheckTiling(List<SafetensorsEntry> entries, long dataLength, string source)
    {
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long pos = 0;
        SafetensorsEntry? prev = null;
        foreach (var e in sorted)
        {
            if (e.Begin < pos)
                throw Invalid(source, $"tensors '{prev!.Name}' [{prev.Begin}, {prev.End}] and '{e.Name}' [{e.Begin}, {e.End}] overlap.");
            if (e.Begin > pos)
                throw Invalid(source, $"bytes [{pos}, {e.Begin}) of the data section belong to no tensor (a gap before '{e.Name}').");
            pos = e.End;
            prev = e;
        }
        if (pos != dataLength)
            throw Invalid(source, $"the data section has {dataLength} bytes but the tensors cover only the first {pos} (trailing bytes).");
    }

    private static string FormatShape(int[] shape) => "[" + string.Join(", ", shape) + "]";

    internal static InvalidDataException Invalid(string source, string why, Exception? inner = null)
        => new($"Not a valid safetensors file ({source}): {why}", inner);
}
