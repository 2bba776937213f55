using Lfm2Vl.Engine.Autograd;

namespace Lfm2Vl.Engine;

public sealed partial class Tensor
{
    /// <summary>
    /// Records an op in the graph when grad mode is on and an input requires a gradient. The saved tensors
    /// get their own references, released when backward passes this node (or when the scope ends).
    /// </summary>
    internal static Tensor Record(Tensor output, string op, Tensor?[] inputs, Tensor[] save, BackwardFn backward)
    {
        if (!GradMode.IsEnabled) return output;
        bool any = false;
        foreach (var t in inputs) if (t is { RequiresGrad: true }) { any = true; break; }
        if (!any) return output;
        var saved = new Tensor[save.Length];
        for (int i = 0; i < save.Length; i++) saved[i] = save[i].NewHandle();
        output.GradFn = new GradNode(op, inputs, saved, backward, output._shape);
        output._requiresGrad = true;
        return output;
    }

    /// <summary>
    /// Back-propagates from this tensor: from a scalar with an implicit gradient of 1, or from any tensor
    /// with an explicit upstream <paramref name="gradient"/>. Gradients accumulate into the .Grad of leaves
    /// that require them. The graph is released afterwards unless <paramref name="retainGraph"/> is set.
    /// </summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false)
    {
        ThrowIfDisposed();
        if (!RequiresGrad)
            throw new InvalidOperationException("Backward() was called on a tensor that does not require grad: no input of the computation had RequiresGrad set, or it ran under GradMode.NoGrad().");
        if (gradient is null && Numel != 1)
            throw new InvalidOperationException($"Backward() without a gradient needs a scalar output; this tensor has shape {ShapeUtil.Format(_shape)}. Reduce it (e.g. .Sum()) or pass the upstream gradient.");
        if (gradient is not null && !ShapeUtil.SameShape(gradient._shape, _shape))
            throw new ArgumentException($"The upstream gradient has shape {ShapeUtil.Format(gradient._shape)} but the tensor has {ShapeUtil.Format(_shape)}.");

        using var noGrad = GradMode.NoGrad();
        Tensor seed = gradient is null ? OnesLike(this) : gradient.NewHandle();
        if (GradFn is null)
        {
            AccumulateLeaf(this, seed);
            seed.Dispose();
            return;
        }
        if (GradFn.IsReleased)
            throw new InvalidOperationException("Backward() through a graph that was already released. Pass retainGraph: true to the first Backward() to go through the graph twice.");

        var order = TopologicalOrder(GradFn);
        var grads = new Dictionary<GradNode, Tensor> { [GradFn] = seed };
        foreach (var node in order)
        {
            if (!grads.Remove(node, out var g)) continue; // no gradient reached this node
            if (node.IsReleased || node.Backward is null)
                throw new InvalidOperationException($"Backward() reached the released node {node}: the graph was already used by an earlier Backward(). Pass retainGraph: true to reuse it.");
            foreach (var s in node.Saved)
                if (s.IsDisposed)
                    throw new InvalidOperationException($"A tensor saved by {node} was released before Backward(): run Backward() inside the TensorScope that ran the forward pass.");

            var inputGrads = node.Backward(g, node.Saved);
            if (inputGrads.Length != node.Inputs.Length)
                throw new InvalidOperationException($"{node} returned {inputGrads.Length} gradients for {node.Inputs.Length} inputs (internal error).");
            for (int i = 0; i < inputGrads.Length; i++)
            {
                var edge = node.Inputs[i];
                var gi = inputGrads[i];
                if (gi is null || edge.IsNone) continue;
                if (edge.Leaf is { } leaf) AccumulateLeaf(leaf, gi);
                else if (grads.TryGetValue(edge.Node!, out var acc))
                {
                    grads[edge.Node!] = acc.AddNoGrad(gi);
                    acc.Dispose();
                }
                else grads[edge.Node!] = gi.NewHandle();
            }
            foreach (var gi in inputGrads) gi?.Dispose();
            g.Dispose();
            if (!retainGraph) node.Release();
        }
        foreach (var left in grads.Values) left.Dispose();
    }

    /// <summary>Adds a gradient into leaf.Grad, which the leaf owns (it lives outside every scope).</summary>
    private static void AccumulateLeaf(Tensor leaf, Tensor g)
    {
        if (!ShapeUtil.SameShape(g._shape, leaf._shape))
            throw new InvalidOperationException($"Gradient of shape {ShapeUtil.Format(g._shape)} for a leaf of shape {ShapeUtil.Format(leaf._shape)} (internal error).");
        using var suspend = TensorScope.Suspend();
        if (leaf.Grad is null || leaf.Grad.IsDisposed)
        {
            leaf.Grad = g.ContiguousCopy();
            if (g.DType != leaf.DType) leaf.Grad = leaf.Grad.To(leaf.DType);
        }
        else
        {
            leaf.Backend.Binary(BinaryOp.Add, leaf.Grad.View, g.View, leaf.Grad.View);
        }
    }

    /// <summary>Nodes in reverse topological order (outputs before inputs), iteratively so deep graphs do not overflow the stack.</summary>
    private static List<GradNode> TopologicalOrder(GradNode root)
    {
        var order = new List<GradNode>();
        var visited = new HashSet<GradNode>();
        var stack = new Stack<(GradNode Node, int Next)>();
        stack.Push((root, 0));
        visited.Add(root);
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node.Inputs.Length)
            {
                stack.Push((node, next + 1));
                var child = node.Inputs[next].Node;
                if (child is not null && visited.Add(child)) stack.Push((child, 0));
            }
            else order.Add(node); // post-order: inputs first
        }
        order.Reverse();
        return order;
    }

    private Tensor AddNoGrad(Tensor other)
    {
        var shape = ShapeUtil.Broadcast(_shape, other._shape);
        var r = new Tensor(Backend.Allocate(DType, ShapeUtil.Numel(shape)), shape);
        Backend.Binary(BinaryOp.Add, View.BroadcastTo(shape), other.View.BroadcastTo(shape), r.View);
        return r;
    }
}
