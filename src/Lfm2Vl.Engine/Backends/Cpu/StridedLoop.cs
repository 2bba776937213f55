namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// Walks several views of one shape together, row by row: dimensions that are contiguous in every view are
/// merged first, so the common cases become one long inner row. The body receives each view's offset of
/// the row start and the row length; the inner strides are in <see cref="InnerStrides"/>.
/// </summary>
internal sealed class StridedLoop
{
    public delegate void RowBody(ReadOnlySpan<int> offsets, int length);

    private readonly int[] _outerShape;
    private readonly int[][] _outerStrides;
    private readonly int[] _bases;

    public int Inner { get; }
    public int Rows { get; }
    public int[] InnerStrides { get; }
    public int Views => _bases.Length;

    public StridedLoop(int[] shape, ReadOnlySpan<TensorView> views)
    {
        int k = views.Length;
        _bases = new int[k];
        for (int v = 0; v < k; v++) _bases[v] = views[v].Offset;

        var merged = MergedDims.Of(shape, views);
        var mShape = new List<int>(merged.Shape);
        var mStrides = new List<int[]>(merged.Strides);
        if (mShape.Count == 0)
        {
            mShape.Add(ShapeUtil.Numel(shape) == 0 ? 0 : 1);
            mStrides.Add(new int[k]);
        }
        int r = mShape.Count;
        Inner = mShape[r - 1];
        InnerStrides = mStrides[r - 1];
        _outerShape = mShape.Take(r - 1).ToArray();
        _outerStrides = mStrides.Take(r - 1).ToArray();
        long rows = 1;
        foreach (var s in _outerShape) rows *= s;
        Rows = Inner == 0 ? 0 : (int)rows;
    }

    private void RowStart(long row, Span<int> offsets)
    {
        _bases.CopyTo(offsets);
        for (int d = _outerShape.Length - 1; d >= 0 && row > 0; d--)
        {
            long i = row % _outerShape[d];
            row /= _outerShape[d];
            for (int v = 0; v < offsets.Length; v++) offsets[v] += (int)(i * _outerStrides[d][v]);
        }
    }

    /// <summary>Elements below which a loop runs on the calling thread (for bodies of a few ns per element).</summary>
    public const int DefaultParallelThreshold = 1 << 15;

    /// <summary>
    /// The same for a cheap body on unit-stride or broadcast rows (a vectorized add, multiply, ReLU, copy: well
    /// under 1 ns per element, bound by memory): below this, handing chunks to other threads costs more than it
    /// saves, and much more when the cores are busy (the small CNN's 32x64x64 maps at batch 1 are 131072).
    /// </summary>
    public const int CheapParallelThreshold = 1 << 19;

    /// <summary>Whether every view's inner stride is 0 or 1 (the vectorized row forms can apply).</summary>
    public bool UnitInnerStrides => InnerStrides.All(s => s is 0 or 1);

    /// <summary>The threshold for a body that is cheap per element when its rows are unit-stride, else the default.</summary>
    public int ThresholdFor(bool cheapOp) => cheapOp && UnitInnerStrides ? CheapParallelThreshold : DefaultParallelThreshold;

    /// <summary>Runs the body over all rows; splits long rows and parallelizes large loops.</summary>
    public void Run(RowBody body, int parallelThreshold = DefaultParallelThreshold)
    {
        long total = (long)Rows * Inner;
        if (total == 0) return;
        int workers = Environment.ProcessorCount;
        if (total < parallelThreshold || workers == 1)
        {
            Span<int> offs = stackalloc int[Views];
            for (int row = 0; row < Rows; row++)
            {
                RowStart(row, offs);
                body(offs, Inner);
            }
            return;
        }

        // Split rows into chunks of whole rows, or each row into pieces when rows are few and long.
        int pieces = Rows >= workers * 4 ? 1 : Math.Max(1, Math.Min(Inner / 4096, workers * 4 / Math.Max(Rows, 1)));
        int pieceLen = (Inner + pieces - 1) / pieces;
        long tasks = (long)Rows * pieces;
        int chunks = (int)Math.Min(tasks, workers * 8L);
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = workers }, c =>
        {
            long from = tasks * c / chunks, to = tasks * (c + 1) / chunks;
            Span<int> offs = stackalloc int[Views];
            for (long t = from; t < to; t++)
            {
                long row = t / pieces;
                int p = (int)(t % pieces);
                int start = p * pieceLen;
                int len = Math.Min(pieceLen, Inner - start);
                if (len <= 0) continue;
                RowStart(row, offs);
                for (int v = 0; v < offs.Length; v++) offs[v] += start * InnerStrides[v];
                body(offs, len);
            }
        });
    }
}
