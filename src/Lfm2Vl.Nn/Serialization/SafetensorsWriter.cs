using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Serialization;

/// <summary>
/// Writes safetensors files (F32, F64 and I32 tensors plus an optional string metadata map). Files are
/// written atomically: to a temporary file in the same folder, flushed to disk, then moved over the target,
/// so a crash never leaves a half-written checkpoint under the real name.
/// </summary>
public static class SafetensorsWriter
{
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                Write(fs, tensors, metadata);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Writes the format to a stream (tensors in the given order, data back to back).</summary>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Safetensors data is little-endian; this writer needs a little-endian machine.");
        var list = tensors.ToList();
        var header = BuildHeader(list, metadata);
        Span<byte> prefix = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (var (_, t) in list)
        {
            switch (t.DType)
            {
                case DType.Float32: stream.Write(MemoryMarshal.AsBytes<float>(t.ToArray<float>())); break;
                case DType.Float64: stream.Write(MemoryMarshal.AsBytes<double>(t.ToArray<double>())); break;
                case DType.Int32: stream.Write(MemoryMarshal.AsBytes<int>(t.ToArray<int>())); break;
                default: throw new NotSupportedException($"Cannot write a {t.DType.Name()} tensor to safetensors.");
            }
        }
    }

    /// <summary>The JSON header, padded with spaces so that the data section starts 8-byte aligned.</summary>
    private static byte[] BuildHeader(List<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            var names = new HashSet<string>();
            long offset = 0;
            foreach (var (name, t) in tensors)
            {
                if (string.IsNullOrEmpty(name) || name == "__metadata__")
                    throw new ArgumentException($"'{name}' cannot name a tensor in a safetensors file.");
                if (!names.Add(name)) throw new ArgumentException($"Two tensors are named '{name}'.");
                var dtype = SafetensorsDTypes.From(t.DType);
                long bytes = (long)t.Numel * dtype.SizeInBytes();
                w.WriteStartObject(name);
                w.WriteString("dtype", dtype.ToString());
                w.WriteStartArray("shape");
                foreach (var d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + bytes);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += bytes;
            }
            w.WriteEndObject();
        }
        int pad = (int)((8 - ms.Length % 8) % 8);
        for (int i = 0; i < pad; i++) ms.WriteByte((byte)' ');
        return ms.ToArray();
    }
}
