namespace Lfm2Vl.Deploy.Onnx;

/// <summary>Field numbers and enum values of onnx.proto (ONNX IR version 8) that the exporter writes.</summary>
internal static class OnnxSchema
{
    public const long IrVersion = 8; // ONNX 1.10+, pairs with opset 15..17+

    public static class Model { public const int IrVersion = 1, ProducerName = 2, ProducerVersion = 3, Domain = 4, ModelVersion = 5, DocString = 6, Graph = 7, OpsetImport = 8; }
    public static class OpsetId { public const int Domain = 1, Version = 2; }
    public static class Graph { public const int Node = 1, Name = 2, Initializer = 5, DocString = 10, Input = 11, Output = 12; }
    public static class Node { public const int Input = 1, Output = 2, Name = 3, OpType = 4, Attribute = 5, Domain = 7; }
    public static class Attribute { public const int Name = 1, F = 2, I = 3, S = 4, T = 5, Floats = 7, Ints = 8, Type = 20; }
    public static class Tensor { public const int Dims = 1, DataType = 2, Name = 8, RawData = 9; }
    public static class ValueInfo { public const int Name = 1, Type = 2; }
    public static class TypeProto { public const int TensorType = 1; }
    public static class TensorType { public const int ElemType = 1, Shape = 2; }
    public static class Shape { public const int Dim = 1; }
    public static class Dimension { public const int DimValue = 1, DimParam = 2; }

    /// <summary>AttributeProto.AttributeType.</summary>
    public enum AttributeType { Float = 1, Int = 2, String = 3, Tensor = 4, Floats = 6, Ints = 7 }

    /// <summary>TensorProto.DataType.</summary>
    public enum DataType { Float = 1, UInt8 = 2, Int8 = 3, Int32 = 6, Int64 = 7 }
}
