using System.Numerics;

namespace Lfm2Vl.Engine.Backends.Cpu;

// Depthwise convolution (one input channel per group, OCg = channel multiplier outputs each) with the direct
// kernels of DepthwiseConv: an im2col GEMM would be OCg x P x KH*KW, far too small to pay for itself. Work items
// are input planes (image, channel), spread over the cores; each worker pads its plane into its own scratch.
public sealed partial class CpuBackend
{
    private static void DepthwiseForward<T>(T[] xs, int xOff0, T[] ws, int wOff0, T[]? bs, int bOff, T[] ys, int yOff0, Conv2dParams p, ConvGeom g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int khw = g.KH * g.KW, wp = g.W + 2 * p.PadW;
        int workers = Workers(g.N * g.C);
        var pads = RentBuffers<T>(workers, (g.H + 2 * p.PadH) * wp);
        ForItems(g.N * g.C, (item, t) =>
        {
            int n = item / g.C, c = item % g.C;
            DepthwiseConv.PadPlane(xs, xOff0 + item * g.Plane, g.H, g.W, p.PadH, p.PadW, pads[t]);
            for (int m = 0; m < g.OCg; m++)
            {
                int o = c * g.OCg + m;
                T bias = bs is null ? T.Zero : bs[bOff + o];
                DepthwiseConv.Forward(pads[t], wp, ws.AsSpan(wOff0 + o * khw, khw), g.KH, g.KW, p, bias, ys, yOff0 + (n * g.OC + o) * g.P, g.OH, g.OW);
            }
        });
        ReturnBuffers(pads);
    }

    private static void DepthwiseBackwardInput<T>(T[] gs, int gyOff0, T[] ws, int wOff0, T[] ds, int dxOff0, Conv2dParams p, ConvGeom g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int khw = g.KH * g.KW;
        int workers = Workers(g.N * g.C);
        int padH = p.DilationH * (g.KH - 1) - p.PadH, padW = p.DilationW * (g.KW - 1) - p.PadW;
        if (g.OCg == 1 && p.StrideH == 1 && p.StrideW == 1 && padH >= 0 && padW >= 0)
        {
            // Stride 1, one output per channel: dx is the forward conv of gy with the flipped kernel (a gather, so
            // every dx element is written once from register accumulators).
            var tp = new Conv2dParams(1, 1, padH, padW, p.DilationH, p.DilationW, g.G);
            var flipped = new T[g.OC * khw];
            for (int o = 0; o < g.OC; o++)
                for (int r = 0; r < khw; r++) flipped[o * khw + r] = ws[wOff0 + o * khw + khw - 1 - r];
            int wp = g.OW + 2 * padW;
            var pads = RentBuffers<T>(workers, (g.OH + 2 * padH) * wp);
            ForItems(g.N * g.C, (item, t) =>
            {
                DepthwiseConv.PadPlane(gs, gyOff0 + item * g.P, g.OH, g.OW, padH, padW, pads[t]);
                DepthwiseConv.Forward(pads[t], wp, flipped.AsSpan(item % g.C * khw, khw), g.KH, g.KW, tp, T.Zero, ds, dxOff0 + item * g.Plane, g.H, g.W);
            });
            ReturnBuffers(pads);
            return;
        }

        // General case: scatter each output's taps into a padded dx plane, then keep its interior.
        int wpx = g.W + 2 * p.PadW, padded = (g.H + 2 * p.PadH) * wpx;
        var scratch = RentBuffers<T>(workers, padded);
        ForItems(g.N * g.C, (item, t) =>
        {
            int n = item / g.C, c = item % g.C;
            var dxp = scratch[t];
            dxp.AsSpan(0, padded).Clear();
            for (int m = 0; m < g.OCg; m++)
            {
                int o = c * g.OCg + m;
                DepthwiseConv.BackwardInputAdd(gs, gyOff0 + (n * g.OC + o) * g.P, g.OH, g.OW, ws.AsSpan(wOff0 + o * khw, khw), g.KH, g.KW, p, dxp, wpx);
            }
            for (int y = 0; y < g.H; y++)
                dxp.AsSpan((y + p.PadH) * wpx + p.PadW, g.W).CopyTo(ds.AsSpan(dxOff0 + item * g.Plane + y * g.W, g.W));
        });
        ReturnBuffers(scratch);
    }

    private static void DepthwiseBackwardWeight<T>(T[] xs, int xOff0, T[] gs, int gyOff0, T[] ds, int dwOff, Conv2dParams p, ConvGeom g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int khw = g.KH * g.KW, wp = g.W + 2 * p.PadW, wLen = g.OC * khw;
        int workers = Workers(g.N * g.C);
        var pads = RentBuffers<T>(workers, (g.H + 2 * p.PadH) * wp);
        var partial = RentBuffers<T>(workers, wLen);
        var seen = new bool[workers];
        ForItems(g.N * g.C, (item, t) =>
        {
            if (!seen[t]) { partial[t].AsSpan(0, wLen).Clear(); seen[t] = true; }
            int n = item / g.C, c = item % g.C;
            DepthwiseConv.PadPlane(xs, xOff0 + item * g.Plane, g.H, g.W, p.PadH, p.PadW, pads[t]);
            for (int m = 0; m < g.OCg; m++)
            {
                int o = c * g.OCg + m;
                DepthwiseConv.BackwardWeightAdd(pads[t], wp, gs, gyOff0 + (n * g.OC + o) * g.P, g.OH, g.OW, g.KH, g.KW, p, partial[t].AsSpan(o * khw, khw));
            }
        });
        SumPartials(partial, seen, ds, dwOff, wLen);
        ReturnBuffers(pads);
        ReturnBuffers(partial);
    }
}
