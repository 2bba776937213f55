using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Lfm2Vl.Deploy.Graph;

namespace Lfm2Vl.Deploy.Inference;

/// <summary>
/// A CNN graph resolved once for execution: every named value becomes a slot number, and for each input shape a
/// <see cref="Workspace"/> places the values in one pinned buffer, reusing the memory of values no later node reads.
/// A prediction then needs no dictionary lookups, no tensor per node, and writes each layer into memory that the
/// layers before it just used (still in cache) instead of a fresh buffer per node.
/// </summary>
internal sealed class ExecutionPlan
{
    public ExecutionPlan(InferenceGraph graph)
    {
        var slots = new Dictionary<string, int> { [graph.Input] = 0 };
        Nodes = graph.Nodes.ToArray();
        Inputs = new int[Nodes.Length][];
        Outputs = new int[Nodes.Length];
        for (int i = 0; i < Nodes.Length; i++)
        {
            Inputs[i] = Nodes[i].Inputs.Select(name => slots.TryGetValue(name, out int s) ? s
                : throw new ArgumentException($"{Nodes[i].Output} reads {name}, which no earlier node writes.")).ToArray();
            slots[Nodes[i].Output] = Outputs[i] = slots.Count;
        }
        SlotCount = slots.Count;
        OutputSlot = slots.TryGetValue(graph.Output, out int o) ? o : throw new ArgumentException($"No node writes {graph.Output}.");
        LastUse = new int[SlotCount];
        for (int i = 0; i < Nodes.Length; i++)
            foreach (int s in Inputs[i]) LastUse[s] = i;
        LastUse[OutputSlot] = Nodes.Length;
    }

    public GraphNode[] Nodes { get; }
    /// <summary>Slots each node reads, in the order of <see cref="GraphNode.Inputs"/>.</summary>
    public int[][] Inputs { get; }
    public int[] Outputs { get; }
    public int SlotCount { get; }
    /// <summary>Slot 0 is the graph input (the caller's images, never in the workspace).</summary>
    public const int InputSlot = 0;
    public int OutputSlot { get; }
    /// <summary>The last node that reads each slot (<see cref="Nodes"/>.Length for the output).</summary>
    public int[] LastUse { get; }

    /// <summary>Shapes of every value for images [n, 3, h, w], checked as the executor used to check them per call.</summary>
    public int[][] Shapes(int n, int h, int w)
    {
        var shapes = new int[SlotCount][];
        shapes[InputSlot] = [n, 3, h, w];
        for (int i = 0; i < Nodes.Length; i++)
        {
            var x = shapes[Inputs[i][0]];
            shapes[Outputs[i]] = Nodes[i] switch
            {
                ConvNode c when x.Length != 4 || x[1] != c.InChannels =>
                    throw new ArgumentException($"{c.Output}: expected {c.InChannels} channels, got {(x.Length == 4 ? x[1] : x.Length)}."),
                ConvNode c => [x[0], c.OutChannels, c.OutSize(x[2]), c.OutSize(x[3])],
                MaxPoolNode p when x.Length == 4 => [x[0], x[1], p.OutSize(x[2]), p.OutSize(x[3])],
                GlobalAvgPoolNode when x.Length == 4 => [x[0], x[1]],
                AddNode a when !x.AsSpan().SequenceEqual(shapes[Inputs[i][1]]) => throw new ArgumentException($"{a.Output}: shapes differ."),
                AddNode => x,
                LinearNode l when x.Length != 2 || x[1] != l.InFeatures => throw new ArgumentException($"{l.Output}: expected [N, {l.InFeatures}]."),
                LinearNode l => [x[0], l.OutFeatures],
                var node => throw new NotSupportedException($"No executor for {node.GetType().Name} on a rank-{x.Length} input."),
            };
            if (shapes[Outputs[i]].Skip(1).Any(d => d <= 0)) throw new ArgumentException($"{Nodes[i].Output}: the input is too small ({h}x{w}).");
        }
        return shapes;
    }

    /// <summary>
    /// Offsets (in floats) of every slot in one buffer for these shapes: a node's output takes the smallest free
    /// region that fits (or a new one) after the regions of values read for the last time by earlier nodes were freed.
    /// A node's own inputs stay allocated while it runs, so no kernel reads and writes overlapping memory, except a
    /// residual add that overwrites its dying first input (<see cref="InPlace"/>).
    /// </summary>
    public (long[] Offsets, long Length) Layout(int[][] shapes)
    {
        var offsets = new long[SlotCount];
        var regions = new List<(long Offset, long Size, int Slot)>(); // Slot -1: free
        long length = 0;
        for (int i = 0; i < Nodes.Length; i++)
        {
            for (int r = 0; r < regions.Count; r++)
                if (regions[r].Slot > 0 && LastUse[regions[r].Slot] < i) regions[r] = regions[r] with { Slot = -1 };
            for (int r = regions.Count - 1; r > 0; r--)
                if (regions[r].Slot == -1 && regions[r - 1].Slot == -1)
                {
                    regions[r - 1] = regions[r - 1] with { Size = regions[r - 1].Size + regions[r].Size };
                    regions.RemoveAt(r);
                }
            long need = Align(shapes[Outputs[i]].Aggregate(1L, (a, d) => a * d));
            if (InPlace(i) is int source && regions.FindIndex(r => r.Slot == source) is int own and >= 0)
            {
                // An element-wise node whose first input dies here writes over it (same size, same index order).
                regions[own] = regions[own] with { Slot = Outputs[i] };
                offsets[Outputs[i]] = regions[own].Offset;
                continue;
            }
            int best = -1;
            for (int r = 0; r < regions.Count; r++)
                if (regions[r].Slot == -1 && regions[r].Size >= need && (best < 0 || regions[r].Size < regions[best].Size)) best = r;
            if (best < 0)
            {
                // Grow the last region when it is free rather than leave it stranded.
                if (regions.Count > 0 && regions[^1].Slot == -1)
                {
                    length += need - regions[^1].Size;
                    regions[^1] = regions[^1] with { Size = need };
                    best = regions.Count - 1;
                }
                else
                {
                    regions.Add((length, need, -1));
                    length += need;
                    best = regions.Count - 1;
                }
            }
            var (offset, size, _) = regions[best];
            if (size > need)
            {
                regions[best] = (offset, need, -1);
                regions.Insert(best + 1, (offset + need, size - need, -1));
            }
            regions[best] = (offset, need, Outputs[i]);
            offsets[Outputs[i]] = offset;
        }
        return (offsets, length);
    }

    /// <summary>The slot node i may overwrite with its output: the first input of a residual add, when no later node
    /// reads it (the add kernel reads each element before it writes the same element).</summary>
    public int? InPlace(int i) =>
        Nodes[i] is AddNode && Inputs[i][0] != InputSlot && LastUse[Inputs[i][0]] == i && Inputs[i][1] != Inputs[i][0] ? Inputs[i][0] : null;

    /// <summary>Whole cache lines, so two values never share one (and vector loads start aligned).</summary>
    private static long Align(long floats) => (floats + 15) / 16 * 16;

    /// <summary>
    /// The memory of one prediction at one input shape: a pinned buffer and each slot's address in it. A workspace
    /// is used by one prediction at a time (<see cref="InferenceModel"/> keeps a few for reuse).
    /// </summary>
    public sealed unsafe class Workspace
    {
        private readonly float[] _buffer;
        private readonly long[] _offsets;

        /// <param name="reuse">A workspace no longer in use whose buffer is taken over when it is large enough.</param>
        public Workspace(ExecutionPlan plan, int n, int h, int w, Workspace? reuse = null)
        {
            (N, H, W) = (n, h, w);
            Shapes = plan.Shapes(n, h, w);
            (_offsets, long length) = plan.Layout(Shapes);
            if (length > Array.MaxLength) throw new ArgumentException($"Batch {n} at {h}x{w} needs {length} floats of activations, more than one array holds.");
            _buffer = reuse is not null && reuse._buffer.Length >= length ? reuse._buffer
                : GC.AllocateUninitializedArray<float>((int)Math.Max(length, 16), pinned: true);
        }

        public int N { get; }
        public int H { get; }
        public int W { get; }
        public int[][] Shapes { get; }
        public long Floats => _buffer.LongLength;

        /// <summary>Address of a slot's values (the buffer is pinned, so it never moves).</summary>
        public float* this[int slot] => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_buffer)) + _offsets[slot];
    }
}
