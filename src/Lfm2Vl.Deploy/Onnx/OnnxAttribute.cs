namespace Lfm2Vl.Deploy.Onnx;

/// <summary>A node attribute (int, ints, float or string), serialized as an AttributeProto.</summary>
public sealed class OnnxAttribute
{
    private readonly Action<ProtoWriter> _write;

    private OnnxAttribute(string name, Action<ProtoWriter> write)
    {
        Name = name;
        _write = write;
    }

    public string Name { get; }

    public static OnnxAttribute Int(string name, long value) => new(name, w => w
        .Int64(OnnxSchema.Attribute.I, value).Int32(OnnxSchema.Attribute.Type, (int)OnnxSchema.AttributeType.Int));

    public static OnnxAttribute Ints(string name, params long[] values) => new(name, w =>
    {
        // Repeated scalars in AttributeProto are written unpacked, one tag each, as the reference serializer does.
        foreach (var v in values) w.Int64(OnnxSchema.Attribute.Ints, v);
        w.Int32(OnnxSchema.Attribute.Type, (int)OnnxSchema.AttributeType.Ints);
    });

    public static OnnxAttribute Float(string name, float value) => new(name, w => w
        .Float(OnnxSchema.Attribute.F, value).Int32(OnnxSchema.Attribute.Type, (int)OnnxSchema.AttributeType.Float));

    public static OnnxAttribute String(string name, string value) => new(name, w => w
        .Bytes(OnnxSchema.Attribute.S, System.Text.Encoding.UTF8.GetBytes(value)).Int32(OnnxSchema.Attribute.Type, (int)OnnxSchema.AttributeType.String));

    internal ProtoWriter ToProto()
    {
        var w = new ProtoWriter().String(OnnxSchema.Attribute.Name, Name);
        _write(w);
        return w;
    }
}
