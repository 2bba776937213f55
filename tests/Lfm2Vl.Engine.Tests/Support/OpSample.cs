namespace Lfm2Vl.Engine.Tests.Support;

/// <summary>
/// A generated test case of one op: its inputs and the function under test. The function builds any
/// index or mask tensors itself from captured arrays, so one sample runs in float32 and float64 alike.
/// <see cref="ToString"/> is what FsCheck prints for a counterexample.
/// </summary>
public sealed record OpSample(string Op, string Detail, InputSpec[] Inputs, Func<Tensor[], Tensor> F)
{
    public Tensor[] Build(DType dtype, bool contiguous = false, bool roundToFloat32 = false) =>
        Inputs.Select(i => i.Build(dtype, contiguous, roundToFloat32)).ToArray();

    public override string ToString() =>
        $"{Op}({Detail}) with inputs: " + string.Join("; ", Inputs.Select((s, i) => $"#{i} {s}"));
}
