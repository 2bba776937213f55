namespace Lfm2Vl.Engine.Tests.Reference;

/// <summary>
/// A fixture's inputs as engine tensors, in meta.inputs order and by name. Optional inputs (a bias, affine
/// parameters, a mask) are simply absent from a fixture that does not pass them.
/// </summary>
public sealed class FixtureInputs(string[] names, Tensor[] tensors)
{
    public IReadOnlyList<string> Names => names;
    public int Count => tensors.Length;
    public Tensor this[int i] => tensors[i];
    public Tensor this[string name] => Optional(name) ?? throw new KeyNotFoundException($"The fixture has no input '{name}' (has: {string.Join(", ", names)}).");
    public Tensor? Optional(string name) => Array.IndexOf(names, name) is var i and >= 0 ? tensors[i] : null;
    public Tensor[] ToArray() => [.. tensors];
}

/// <summary>An engine call for one fixture op (meta.op): inputs in the dtype under test, int32 ones as int32.</summary>
public delegate Tensor[] FixtureOp(FixtureInputs x, FixtureArgs args, DType dtype);
