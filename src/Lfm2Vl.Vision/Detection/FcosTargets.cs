using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Vision.Detection;

/// <summary>
/// Training targets for the dense head, per feature-map cell (FCOS assignment): a cell is positive for a box
/// when its centre lies inside the box and within <see cref="CenterRadius"/> strides of the box centre; with
/// several candidates, the smallest box wins. Positives get the box's class, its corners and a centerness target.
/// </summary>
public sealed class FcosTargets
{
    public const float CenterRadius = 1.5f;

    private FcosTargets(Tensor cls, Tensor boxes, Tensor centerness, Tensor positive, int numPositive, double centernessSum)
    {
        Classes = cls; Boxes = boxes; Centerness = centerness; Positive = positive; NumPositive = numPositive; CenternessSum = centernessSum;
    }

    /// <summary>One-hot class targets [N, K, H, W] (all zero at background cells).</summary>
    public Tensor Classes { get; }
    /// <summary>Target boxes [N, H*W, 4] as x1, y1, x2, y2 in pixels (a dummy unit box at background cells).</summary>
    public Tensor Boxes { get; }
    /// <summary>Centerness targets [N, H*W] in [0, 1] (0 at background cells).</summary>
    public Tensor Centerness { get; }
    /// <summary>1 at positive cells, else 0: [N, H*W].</summary>
    public Tensor Positive { get; }
    public int NumPositive { get; }
    /// <summary>The sum of the centerness targets (they are zero off the positive cells), known on the host so the loss needs no device read.</summary>
    public double CenternessSum { get; }

    /// <summary>Cell centre in input pixels.</summary>
    public static (float X, float Y) CellCenter(int row, int col, int stride) => ((col + 0.5f) * stride, (row + 0.5f) * stride);

    public static FcosTargets Build(IReadOnlyList<IReadOnlyList<BoundingBox>> boxes, int numClasses, int h, int w, int stride, DType dtype, Device device)
    {
        int n = boxes.Count, cells = h * w;
        var cls = new float[n * numClasses * cells];
        var tb = new float[n * cells * 4];
        var ctr = new float[n * cells];
        var pos = new float[n * cells];
        int numPos = 0;
        double ctrSum = 0;
        for (int i = 0; i < n; i++)
            for (int r = 0; r < h; r++)
                for (int c = 0; c < w; c++)
                {
                    int cell = r * w + c;
                    var (cx, cy) = CellCenter(r, c, stride);
                    int best = -1; float bestArea = float.MaxValue;
                    for (int b = 0; b < boxes[i].Count; b++)
                    {
                        var box = boxes[i][b];
                        if (box.Label < 0 || box.Label >= numClasses || box.Area <= 0) continue;
                        if (cx <= box.X1 || cx >= box.X2 || cy <= box.Y1 || cy >= box.Y2) continue;
                        float bx = (box.X1 + box.X2) / 2, by = (box.Y1 + box.Y2) / 2, rad = CenterRadius * stride;
                        if (Math.Abs(cx - bx) > rad || Math.Abs(cy - by) > rad) continue;
                        if (box.Area < bestArea) { bestArea = box.Area; best = b; }
                    }
                    int o = (i * cells + cell) * 4;
                    if (best < 0)
                    {
                        tb[o] = cx - 1; tb[o + 1] = cy - 1; tb[o + 2] = cx + 1; tb[o + 3] = cy + 1;
                        continue;
                    }
                    var g = boxes[i][best];
                    tb[o] = g.X1; tb[o + 1] = g.Y1; tb[o + 2] = g.X2; tb[o + 3] = g.Y2;
                    float l = cx - g.X1, t = cy - g.Y1, rr = g.X2 - cx, bb = g.Y2 - cy;
                    ctr[i * cells + cell] = MathF.Sqrt(Math.Min(l, rr) / Math.Max(l, rr) * (Math.Min(t, bb) / Math.Max(t, bb)));
                    ctrSum += ctr[i * cells + cell];
                    pos[i * cells + cell] = 1;
                    cls[(i * numClasses + g.Label) * cells + cell] = 1;
                    numPos++;
                }
        return new FcosTargets(
            ToTensor(cls, [n, numClasses, h, w], dtype, device), ToTensor(tb, [n, cells, 4], dtype, device),
            ToTensor(ctr, [n, cells], dtype, device), ToTensor(pos, [n, cells], dtype, device), numPos, ctrSum);
    }

    /// <summary>Host values uploaded straight to the device (converted there when the dtype is not float32).</summary>
    private static Tensor ToTensor(float[] v, int[] shape, DType dtype, Device device)
    {
        var t = Tensor.From<float>(v, DType.Float32, shape, device);
        return dtype == DType.Float32 ? t : t.To(dtype);
    }

    /// <summary>Predicted boxes [N, H*W, 4] (pixels) from distances [N, 4, H, W] given in strides.</summary>
    public static Tensor DecodeBoxes(Tensor distances, int stride)
    {
        int n = distances.Size(0), h = distances.Size(2), w = distances.Size(3);
        var centers = new float[h * w * 4];
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
            {
                var (cx, cy) = CellCenter(r, c, stride);
                int o = (r * w + c) * 4;
                centers[o] = cx; centers[o + 1] = cy; centers[o + 2] = cx; centers[o + 3] = cy;
            }
        var ctr = Tensor.From<float>(centers, DType.Float32, [1, h * w, 4], distances.Device);
        if (distances.DType != DType.Float32) ctr = ctr.To(distances.DType);
        // (l, t, r, b) -> (-l, -t, +r, +b) * stride, added to the cell centre.
        var signs = Tensor.FromDoubles([-stride, -stride, stride, stride], [4], distances.DType, distances.Device);
        var d = distances.Reshape(n, 4, h * w).Transpose(1, 2);                       // [N, HW, 4]
        return ctr + d * signs;
    }
}
