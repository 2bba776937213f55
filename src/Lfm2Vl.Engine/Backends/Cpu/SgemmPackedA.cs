using System.Buffers;
using System.Runtime.InteropServices;

namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// A float32 GEMM left operand A[M,K] packed once into the micro-kernel's row panels (K in the same KC blocks the
/// blocked loop uses), for many serial products C_i = A B_i that share it: a convolution's weights times each
/// column tile, where packing the weights per tile would cost a tenth of the tile's GEMM. The buffer is rented and
/// pinned; dispose to return it.
/// </summary>
internal sealed unsafe class SgemmPackedA : IDisposable
{
    private readonly float[] _buffer;
    private GCHandle _pin;
    private readonly float* _data;
    private readonly int _m, _k;

    public SgemmPackedA(int m, int k, float[] a, int aOff, int aRowStride, int aColStride)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(m);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        SgemmPacked.CheckExtent(a, aOff, m, aRowStride, k, aColStride, nameof(a));
        (_m, _k) = (m, k);
        int mr = SgemmKernelAvx512.IsSupported ? SgemmKernelAvx512.MR : SgemmKernelAvx2.IsSupported ? SgemmKernelAvx2.MR : SgemmKernelScalar.MR;
        int shortMr = SgemmKernelAvx512.IsSupported ? SgemmKernelAvx512.ShortMR : SgemmKernelAvx2.IsSupported ? SgemmKernelAvx2.ShortMR : SgemmKernelScalar.ShortMR;
        int rows = SgemmPacked.RoundUp(m, mr);
        _buffer = ArrayPool<float>.Shared.Rent(rows * k + SgemmPacking.Slack);
        _pin = GCHandle.Alloc(_buffer, GCHandleType.Pinned);
        _data = (float*)_pin.AddrOfPinnedObject();
        int kcStep = SgemmPacked.Even(k, SgemmPacked.KC, 1);
        fixed (float* pa = a)
            for (int p0 = 0; p0 < k; p0 += kcStep)
                SgemmPacking.PackA(m, Math.Min(kcStep, k - p0), pa + aOff + (nint)p0 * aColStride, aRowStride, aColStride,
                    _data + (nint)rows * p0, mr, shortMr);
    }

    /// <summary>C[M, n] (=|+=) A B[K, n] on the calling thread (B element (p, j) at b[bOff + p*bRowStride + j*bColStride]).</summary>
    public void Multiply(int n, float[] b, int bOff, int bRowStride, int bColStride, float[] c, int cOff, int ldc, bool accumulate)
    {
        ObjectDisposedException.ThrowIf(!_pin.IsAllocated, this);
        if (n == 0) return;
        SgemmPacked.CheckExtent(b, bOff, _k, bRowStride, n, bColStride, nameof(b));
        SgemmPacked.CheckExtent(c, cOff, _m, ldc, n, 1, nameof(c));
        fixed (float* pb = b, pc = c)
        {
            if (SgemmKernelAvx512.IsSupported)
                SgemmPacked.Blocked<SgemmKernelAvx512>(_m, n, _k, null, 0, 0, pb + bOff, bRowStride, bColStride, pc + cOff, ldc, 1, accumulate, _data);
            else if (SgemmKernelAvx2.IsSupported)
                SgemmPacked.Blocked<SgemmKernelAvx2>(_m, n, _k, null, 0, 0, pb + bOff, bRowStride, bColStride, pc + cOff, ldc, 1, accumulate, _data);
            else
                SgemmPacked.Blocked<SgemmKernelScalar>(_m, n, _k, null, 0, 0, pb + bOff, bRowStride, bColStride, pc + cOff, ldc, 1, accumulate, _data);
        }
    }

    public void Dispose()
    {
        if (!_pin.IsAllocated) return;
        _pin.Free();
        ArrayPool<float>.Shared.Return(_buffer);
    }
}
