using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;
using Lfm2Vl.Nn.Serialization;
using Xunit;

namespace Lfm2Vl.Nn.Tests;

public class SafetensorsTests
{
    private static byte[] ValidFile()
    {
        using var ms = new MemoryStream();
        SafetensorsWriter.Write(ms, new Dictionary<string, Tensor>
        {
            ["a"] = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3),
            ["b"] = Tensor.FromArray(new double[] { -1.5, 2.25 }, 2),
            ["idx"] = Tensor.FromArray(new[] { 7, -8, 9 }, 3),
        }, new Dictionary<string, string> { ["format"] = "pt" });
        return ms.ToArray();
    }

    /// <summary>A file with a hand-written header and a data section of the given size.</summary>
    private static byte[] Raw(string header, int dataBytes, long? declaredLength = null)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)(declaredLength ?? h.Length));
        h.CopyTo(file, 8);
        for (int i = 0; i < dataBytes; i++) file[8 + h.Length + i] = (byte)i;
        return file;
    }

    private static SafetensorsContent Load(byte[] bytes) => SafetensorsReader.Load(new MemoryStream(bytes), "test");

    private static string Rejects(byte[] bytes)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Load(bytes).Dispose());
        return ex.Message;
    }

    [Fact]
    public void RoundTripKeepsNamesOrderShapesValuesAndMetadata()
    {
        using var c = Load(ValidFile());
        Assert.Equal(["a", "b", "idx"], c.Tensors.Keys);
        Assert.Equal([2, 3], c["a"].Shape);
        Assert.Equal(DType.Float32, c["a"].DType);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, c["a"].ToArray<float>());
        Assert.Equal(new double[] { -1.5, 2.25 }, c["b"].ToArray<double>());
        Assert.Equal(new[] { 7, -8, 9 }, c["idx"].ToArray<int>());
        Assert.Equal("pt", c.Metadata["format"]);
    }

    [Fact]
    public void HeaderIsPaddedSoDataIsEightByteAligned()
    {
        var bytes = ValidFile();
        var n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, (8 + n) % 8);
        var header = SafetensorsHeader.Read(new MemoryStream(bytes), "test");
        Assert.Equal(6 * 4 + 2 * 8 + 3 * 4, header.DataLength);
        Assert.Equal([(0L, 24L), (24L, 40L), (40L, 52L)], header.Entries.Select(e => (e.Begin, e.End)));
    }

    [Fact]
    public void ScalarsAndEmptyTensorsRoundTrip()
    {
        using var ms = new MemoryStream();
        SafetensorsWriter.Write(ms, new Dictionary<string, Tensor> { ["s"] = Tensor.Scalar(3.5), ["e"] = Tensor.Zeros([0, 4]) });
        using var c = Load(ms.ToArray());
        Assert.Equal([], c["s"].Shape);
        Assert.Equal(3.5, c["s"].Item());
        Assert.Equal([0, 4], c["e"].Shape);
    }

    [Fact]
    public void ReadsHalfBFloatAndInt64ByWidening()
    {
        // F16 1.5 = 0x3E00, BF16 -2 = 0xC000, I64 values.
        var data = new byte[2 * 2 + 2 * 2 + 2 * 8];
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(0), 0x3E00);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2), 0x3C00);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(4), 0xC000);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(6), 0x3F80);
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(8), -5);
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(16), 123456);
        var header = """{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"bf":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]},"l":{"dtype":"I64","shape":[2],"data_offsets":[8,24]}}""";
        var file = Raw(header, 0);
        file = [.. file, .. data];
        using var c = Load(file);
        Assert.Equal(new float[] { 1.5f, 1f }, c["h"].ToArray<float>());
        Assert.Equal(new float[] { -2f, 1f }, c["bf"].ToArray<float>());
        Assert.Equal(new[] { -5, 123456 }, c["l"].ToArray<int>());
    }

    [Fact]
    public void TruncatedFilesAreRejectedAtEveryLength()
    {
        var full = ValidFile();
        for (int len = 0; len < full.Length; len++)
        {
            var msg = Rejects(full[..len]);
            Assert.Contains("Not a valid safetensors file (test)", msg);
        }
        Assert.Contains("fewer than the 8-byte", Rejects(full[..5]));
        Assert.Contains("truncated", Rejects(full[..20]));
    }

    [Fact]
    public void HugeDeclaredHeaderLengthsAreRejectedWithoutAllocating()
    {
        Assert.Contains("more than the 100000000-byte limit", Rejects(Raw("{}", 0, declaredLength: long.MaxValue)));
        Assert.Contains("more than the 100000000-byte limit", Rejects(Raw("{}", 0, declaredLength: 200_000_000)));
        Assert.Contains("only 2 bytes follow", Rejects(Raw("{}", 0, declaredLength: 50_000)));
        var raw = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(raw, ulong.MaxValue);
        Assert.Contains("limit", Rejects(raw));
    }

    [Theory]
    [InlineData("not json at all", "not valid JSON")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", "not valid JSON")]
    [InlineData("{\"a\":1} trailing", "not valid JSON")]
    [InlineData("[1,2,3]", "must be a JSON object")]
    [InlineData("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "no string 'dtype'")]
    [InlineData("{\"a\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", "dtype 'Q7'")]
    [InlineData("{\"a\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "dtype 'f32'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", "no 'shape' array")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "negative dimension -1")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", "not an integer")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}}", "not an integer")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,4]}}", "more than 2147483647 elements")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296],\"data_offsets\":[0,4]}}", "larger than the engine supports")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", "no 'data_offsets' pair")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", "no 'data_offsets' pair")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", "0 <= begin <= end")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", "0 <= begin <= end")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,12]}}", "only 8 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "needs 12 bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "names 'a' twice")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "overlap")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "a gap before 'a'")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "trailing bytes")]
    [InlineData("{\"__metadata__\":{\"k\":1},\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", "must be a string")]
    [InlineData("{\"__metadata__\":[],\"a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", "object of strings")]
    [InlineData("{\"a\":[1,2]}", "described by an object")]
    [InlineData("{}", "trailing bytes")]
    [InlineData("{\"a\":{\"dtype\":\"F32\",\"shape\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]],\"data_offsets\":[0,4]}}", "not valid JSON")]
    public void CorruptHeadersAreRejectedWithAReason(string header, string reason)
    {
        var msg = Rejects(Raw(header, 8));
        Assert.Contains(reason, msg);
    }

    [Fact]
    public void OverlapNamesBothTensors()
    {
        var msg = Rejects(Raw("{\"x\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]},\"y\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8));
        Assert.Contains("'x' [0, 4] and 'y' [0, 8] overlap", msg);
    }

    [Fact]
    public void InvalidUtf8InTheHeaderIsRejected()
    {
        var file = Raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        file[10] = 0xFF; // inside the name
        Rejects(file);
    }

    [Fact]
    public void I64ValuesOutsideInt32AreRejected()
    {
        var file = Raw("{\"l\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 0);
        var data = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(data, 1L << 40);
        Assert.Contains("does not fit", Rejects([.. file, .. data]));
    }

    /// <summary>Any truncation or byte flip of a valid file loads or fails with InvalidDataException, nothing else.</summary>
    [FsCheck.Xunit.Property(MaxTest = 300)]
    public bool CorruptedFilesFailCleanly(int position, byte value, bool truncate)
    {
        var bytes = ValidFile();
        int at = (int)((uint)position % bytes.Length);
        if (truncate) bytes = bytes[..at];
        else bytes[at] = value;
        try
        {
            Load(bytes).Dispose();
            return true;
        }
        catch (InvalidDataException)
        {
            return true;
        }
    }

    [Fact]
    public void SaveIsAtomicAndOverwrites()
    {
        var path = TestUtil.TempPath();
        SafetensorsWriter.Save(path, new Dictionary<string, Tensor> { ["v"] = Tensor.FromArray(new float[] { 1, 2 }, 2) });
        SafetensorsWriter.Save(path, new Dictionary<string, Tensor> { ["v"] = Tensor.FromArray(new float[] { 3, 4, 5 }, 3) });
        using (var c = SafetensorsReader.Load(path)) Assert.Equal(new float[] { 3, 4, 5 }, c["v"].ToArray<float>());
        // No temporary files are left beside it, and a failed save leaves the old file intact.
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!, "*" + Path.GetFileName(path) + "*"));
        Assert.Throws<ArgumentException>(() => SafetensorsWriter.Save(path, [new("", Tensor.Zeros([1]))]));
        using (var c = SafetensorsReader.Load(path)) Assert.Equal([3], c["v"].Shape);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!, "*" + Path.GetFileName(path) + "*"));
        File.Delete(path);
    }

    [Fact]
    public void ModuleSaveLoadRoundTrip()
    {
        var path = TestUtil.TempPath();
        var a = new Mlp(3, [5], 2, generator: new Generator(1));
        a.SaveSafetensors(path, new Dictionary<string, string> { ["model"] = "mlp" });
        Assert.Equal("mlp", SafetensorsReader.ReadHeader(path).Metadata["model"]);

        var b = new Mlp(3, [5], 2, generator: new Generator(2));
        Assert.True(b.LoadSafetensors(path).IsExactMatch);
        Assert.Equal(TestUtil.Snapshot(a), TestUtil.Snapshot(b));

        var wrong = new Mlp(3, [6], 2, generator: new Generator(2));
        var ex = Assert.Throws<StateDictMismatchException>(() => wrong.LoadSafetensors(path));
        Assert.Contains("0.weight: model has [6, 3], state dict has [5, 3]", ex.Message);
        File.Delete(path);
    }
}
