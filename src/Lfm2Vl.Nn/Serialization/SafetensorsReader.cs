using System.Runtime.InteropServices;
using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Serialization;

/// <summary>
/// Reads safetensors files: an 8-byte little-endian header length, a JSON header
/// {name: {dtype, shape, data_offsets}, "__metadata__": {string: string}}, then the raw little-endian data.
/// The whole header is validated (<see cref="SafetensorsHeader"/>) before any tensor memory is allocated,
/// so a truncated or hostile file gives an <see cref="InvalidDataException"/> rather than a crash or a
/// huge allocation.
/// </summary>
public static class SafetensorsReader
{
    /// <summary>Reads only the header (names, dtypes, shapes, metadata) of a file.</summary>
    public static SafetensorsHeader ReadHeader(string path)
    {
        using var fs = OpenRead(path);
        return SafetensorsHeader.Read(fs, path);
    }

    /// <summary>Loads every tensor of a file (converted to engine dtypes, see <see cref="SafetensorsDType"/>).</summary>
    public static SafetensorsContent Load(string path, Device? device = null)
    {
        using var fs = OpenRead(path);
        return Load(fs, path, device);
    }

    public static SafetensorsContent Load(Stream stream, string source = "stream", Device? device = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Safetensors data is little-endian; this reader needs a little-endian machine.");
        var header = SafetensorsHeader.Read(stream, source);
        var content = new SafetensorsContent(header.Metadata);
        try
        {
            // In header order for the caller, read in offset order so the stream only moves forward.
            var loaded = new Dictionary<string, Tensor>();
            foreach (var e in header.Entries.OrderBy(e => e.Begin))
            {
                stream.Position = header.DataOffset + e.Begin;
                loaded[e.Name] = ReadTensor(stream, e, source, device).Persist();
            }
            foreach (var e in header.Entries) content.Tensors.Add(e.Name, loaded[e.Name]);
            return content;
        }
        catch (EndOfStreamException ex)
        {
            content.Dispose();
            throw SafetensorsHeader.Invalid(source, "the data section ended early (the file changed or is truncated).", ex);
        }
        catch
        {
            content.Dispose();
            throw;
        }
    }

    private static Tensor ReadTensor(Stream s, SafetensorsEntry e, string source, Device? device)
    {
        switch (e.DType)
        {
            case SafetensorsDType.F32: return Tensor.From<float>(ReadArray<float>(s, e.Numel), DType.Float32, e.Shape, device);
            case SafetensorsDType.F64: return Tensor.From<double>(ReadArray<double>(s, e.Numel), DType.Float64, e.Shape, device);
            case SafetensorsDType.I32: return Tensor.From<int>(ReadArray<int>(s, e.Numel), DType.Int32, e.Shape, device);
            case SafetensorsDType.F16:
            {
                var half = ReadArray<Half>(s, e.Numel);
                var f = new float[half.Length];
                for (int i = 0; i < f.Length; i++) f[i] = (float)half[i];
                return Tensor.From<float>(f, DType.Float32, e.Shape, device);
            }
            case SafetensorsDType.BF16:
            {
                var bits = ReadArray<ushort>(s, e.Numel);
                var f = new float[bits.Length];
                for (int i = 0; i < f.Length; i++) f[i] = BitConverter.Int32BitsToSingle(bits[i] << 16);
                return Tensor.From<float>(f, DType.Float32, e.Shape, device);
            }
            case SafetensorsDType.I64:
            {
                var wide = ReadArray<long>(s, e.Numel);
                var n = new int[wide.Length];
                for (int i = 0; i < n.Length; i++)
                    n[i] = wide[i] is >= int.MinValue and <= int.MaxValue ? (int)wide[i]
                        : throw SafetensorsHeader.Invalid(source, $"I64 tensor '{e.Name}' holds {wide[i]}, which does not fit the engine's int32.");
                return Tensor.From<int>(n, DType.Int32, e.Shape, device);
            }
            default: throw new ArgumentOutOfRangeException(nameof(e));
        }
    }

    /// <summary>Reads numel elements, in chunks so that no single read exceeds the span limit.</summary>
    private static T[] ReadArray<T>(Stream s, int numel) where T : unmanaged
    {
        var result = GC.AllocateUninitializedArray<T>(numel);
        int chunk = Math.Max(1, (1 << 28) / Marshal.SizeOf<T>());
        for (int start = 0; start < numel; start += chunk)
        {
            int n = Math.Min(chunk, numel - start);
            s.ReadExactly(MemoryMarshal.AsBytes(result.AsSpan(start, n)));
        }
        return result;
    }

    private static FileStream OpenRead(string path) => new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
}
