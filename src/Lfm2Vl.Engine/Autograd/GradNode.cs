namespace Lfm2Vl.Engine.Autograd;

/// <summary>Computes the input gradients of one op from the output gradient and the saved tensors.
/// Returns one entry per input (null where an input needs no gradient).</summary>
public delegate Tensor?[] BackwardFn(Tensor gradOutput, Tensor[] saved);

/// <summary>
/// One recorded op in the graph: the edges to its inputs, its backward function and the tensors it
/// saved. The node owns its saved tensors and releases them as soon as backward has passed through it.
/// </summary>
public sealed class GradNode
{
    internal GradNode(string op, Tensor?[] inputs, Tensor[] saved, BackwardFn backward, int[] outputShape)
    {
        Op = op;
        Saved = saved;
        Backward = backward;
        OutputShape = outputShape;
        Inputs = new Edge[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            var t = inputs[i];
            if (t is null || !t.RequiresGrad) continue;
            Inputs[i] = t.GradFn is { } node ? new Edge(node, null) : new Edge(null, t);
        }
    }

    public string Op { get; }
    public int[] OutputShape { get; }
    internal Edge[] Inputs { get; }
    internal Tensor[] Saved { get; private set; }
    internal BackwardFn? Backward { get; private set; }
    public bool IsReleased { get; private set; }

    /// <summary>An input of a node: another node, or a leaf tensor whose .Grad accumulates.</summary>
    internal readonly record struct Edge(GradNode? Node, Tensor? Leaf)
    {
        public bool IsNone => Node is null && Leaf is null;
    }

    internal void Release()
    {
        foreach (var s in Saved) s.Dispose();
        Saved = [];
        Backward = null;
        IsReleased = true;
    }

    public override string ToString() => $"{Op}Backward";
}
