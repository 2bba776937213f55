using System.Runtime.InteropServices;

namespace Lfm2Vl.Deploy.Onnx;

/// <summary>
/// Collects an ONNX graph (nodes in topological order, float/int64 initializers, typed inputs and outputs) and
/// serializes it as a ModelProto. Node outputs get unique generated names unless given.
/// </summary>
public sealed class OnnxGraphBuilder
{
    private readonly List<ProtoWriter> _nodes = new();
    private readonly List<ProtoWriter> _initializers = new();
    private readonly List<ProtoWriter> _inputs = new();
    private readonly List<ProtoWriter> _outputs = new();
    private readonly HashSet<string> _names = new();
    private readonly Dictionary<string, int> _counters = new();

    public OnnxGraphBuilder(string name) { Name = name; }

    public string Name { get; }
    public int NodeCount => _nodes.Count;
    public IReadOnlyCollection<string> OpTypes => _opTypes;
    private readonly HashSet<string> _opTypes = new();

    /// <summary>A float32 tensor stored in the model (weights, constants).</summary>
    public string Initializer(string name, ReadOnlySpan<float> data, params long[] dims) =>
        AddInitializer(name, OnnxSchema.DataType.Float, MemoryMarshal.AsBytes(data), dims);

    public string InitializerInt64(string name, ReadOnlySpan<long> data, params long[] dims) =>
        AddInitializer(name, OnnxSchema.DataType.Int64, MemoryMarshal.AsBytes(data), dims);

    /// <summary>A float32 scalar constant.</summary>
    public string Scalar(string name, float value) => Initializer(name, [value]);

    private string AddInitializer(string name, OnnxSchema.DataType type, ReadOnlySpan<byte> raw, long[] dims)
    {
        Claim(name);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw_data is little-endian.");
        var t = new ProtoWriter();
        t.PackedInt64(OnnxSchema.Tensor.Dims, dims);
        t.Int32(OnnxSchema.Tensor.DataType, (int)type);
        t.String(OnnxSchema.Tensor.Name, name);
        t.Bytes(OnnxSchema.Tensor.RawData, raw);
        _initializers.Add(t);
        return name;
    }

    /// <summary>A graph input or output: float32 with the given dimensions (null = the symbolic batch "N").</summary>
    public void Input(string name, params long?[] dims) { Claim(name); _inputs.Add(ValueInfo(name, dims)); }

    public void Output(string name, params long?[] dims) => _outputs.Add(ValueInfo(name, dims));

    /// <summary>Adds a node and returns the name of its (first) output.</summary>
    public string Node(string opType, string[] inputs, params OnnxAttribute[] attributes) => Node(opType, inputs, null, attributes);

    public string Node(string opType, string[] inputs, string? output, params OnnxAttribute[] attributes)
    {
        output ??= Fresh(opType.ToLowerInvariant());
        if (!_names.Contains(output)) Claim(output);
        var n = new ProtoWriter();
        foreach (var i in inputs) n.String(OnnxSchema.Node.Input, i);
        n.String(OnnxSchema.Node.Output, output);
        n.String(OnnxSchema.Node.Name, output + "_node");
        n.String(OnnxSchema.Node.OpType, opType);
        foreach (var a in attributes) n.Message(OnnxSchema.Node.Attribute, a.ToProto());
        _nodes.Add(n);
        _opTypes.Add(opType);
        return output;
    }

    /// <summary>A name not used yet, built from a prefix.</summary>
    public string Fresh(string prefix)
    {
        int k = _counters.GetValueOrDefault(prefix);
        string name;
        do name = $"{prefix}_{k++}"; while (_names.Contains(name));
        _counters[prefix] = k;
        return name;
    }

    public byte[] ToModel(int opset, string producer, string producerVersion, string docString = "")
    {
        var g = new ProtoWriter();
        foreach (var n in _nodes) g.Message(OnnxSchema.Graph.Node, n);
        g.String(OnnxSchema.Graph.Name, Name);
        foreach (var t in _initializers) g.Message(OnnxSchema.Graph.Initializer, t);
        if (docString.Length > 0) g.String(OnnxSchema.Graph.DocString, docString);
        foreach (var i in _inputs) g.Message(OnnxSchema.Graph.Input, i);
        foreach (var o in _outputs) g.Message(OnnxSchema.Graph.Output, o);

        var opsetId = new ProtoWriter().String(OnnxSchema.OpsetId.Domain, "").Int64(OnnxSchema.OpsetId.Version, opset);
        return new ProtoWriter()
            .Int64(OnnxSchema.Model.IrVersion, OnnxSchema.IrVersion)
            .String(OnnxSchema.Model.ProducerName, producer)
            .String(OnnxSchema.Model.ProducerVersion, producerVersion)
            .Message(OnnxSchema.Model.Graph, g)
            .Message(OnnxSchema.Model.OpsetImport, opsetId)
            .ToArray();
    }

    private void Claim(string name)
    {
        if (!_names.Add(name)) throw new ArgumentException($"The ONNX graph already has a value named '{name}'.");
    }

    private static ProtoWriter ValueInfo(string name, long?[] dims)
    {
        var shape = new ProtoWriter();
        foreach (var d in dims)
        {
            var dim = new ProtoWriter();
            if (d is { } v) dim.Int64(OnnxSchema.Dimension.DimValue, v);
            else dim.String(OnnxSchema.Dimension.DimParam, "N");
            shape.Message(OnnxSchema.Shape.Dim, dim);
        }
        var tensorType = new ProtoWriter().Int32(OnnxSchema.TensorType.ElemType, (int)OnnxSchema.DataType.Float).Message(OnnxSchema.TensorType.Shape, shape);
        var type = new ProtoWriter().Message(OnnxSchema.TypeProto.TensorType, tensorType);
        return new ProtoWriter().String(OnnxSchema.ValueInfo.Name, name).Message(OnnxSchema.ValueInfo.Type, type);
    }
}
