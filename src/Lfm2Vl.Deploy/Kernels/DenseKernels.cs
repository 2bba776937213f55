using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Numerics.Tensors;
using Lfm2Vl.Deploy.Graph;

namespace Lfm2Vl.Deploy.Kernels;

/// <summary>The head's small dense layers: y[n] = act(W x[n] + b), one dot product per output (no GEMM set-up).</summary>
internal static unsafe class DenseKernels
{
    public static void Linear(float* x, int n, int inFeatures, float* w, float* b, int outFeatures, Activation act, float* y)
    {
        for (int i = 0; i < n; i++)
        {
            var row = new ReadOnlySpan<float>(x + (long)i * inFeatures, inFeatures);
            float* dst = y + (long)i * outFeatures;
            for (int o = 0; o < outFeatures; o++)
            {
                float v = TensorPrimitives.Dot(new ReadOnlySpan<float>(w + (long)o * inFeatures, inFeatures), row) + b[o];
                dst[o] = Activate(v, act);
            }
        }
    }

    /// <summary>
    /// The same layer with int8 weights (per-row scales): each row is widened to float and scaled once, then dotted
    /// with the float activations (weight-only quantization: the head is a small share of the work).
    /// </summary>
    public static void LinearInt8(float* x, int n, int inFeatures, sbyte* q, float* scales, float* b, int outFeatures, Activation act, float* y)
    {
        float* row = stackalloc float[inFeatures];
        for (int o = 0; o < outFeatures; o++)
        {
            sbyte* qr = q + (long)o * inFeatures;
            int j = 0;
            // Widen 16 weights at a time (exact: small integers); the scalar widening cost 36 us of the small CNN's 300.
            if (Avx512F.IsSupported)
                for (; j + 16 <= inFeatures; j += 16)
                    Vector512.ConvertToSingle(Avx512F.ConvertToVector512Int32(Vector128.Load(qr + j))).Store(row + j);
            for (; j < inFeatures; j++) row[j] = qr[j];
            var w = new ReadOnlySpan<float>(row, inFeatures);
            for (int i = 0; i < n; i++)
            {
                float v = scales[o] * TensorPrimitives.Dot(w, new ReadOnlySpan<float>(x + (long)i * inFeatures, inFeatures)) + b[o];
                y[(long)i * outFeatures + o] = Activate(v, act);
            }
        }
    }

    private static float Activate(float v, Activation act) => act switch
    {
        Activation.Relu => MathF.Max(v, 0f),
        Activation.Gelu => Gelu(v),
        _ => v,
    };

    /// <summary>Exact GELU, x * Phi(x), with erf evaluated in double precision.</summary>
    public static float Gelu(float x) => (float)(0.5 * x * (1.0 + Erf(x / Math.Sqrt(2.0))));

    // Cody's coefficients for erfc on [0.5, 4].
    private static readonly double[] ErfcNum =
    [
        0.564188496988670089e0, 0.888314979438837594e1, 0.661191906371416295e2, 0.298635138197400131e3,
        0.881952221241769090e3, 0.171204761263407058e4, 0.205107837782607147e4
    ];

    private static readonly double[] ErfcDen =
    [
        0.157449261107098347e2, 0.117693950891312499e3, 0.537181101862009858e3, 0.162138957456669019e4,
        0.329079923573345963e4, 0.436261909014324716e4, 0.343936767414372164e4
    ];

    /// <summary>erf to about 1e-15 (W. J. Cody's rational approximations, as in common libm implementations).</summary>
    public static double Erf(double x)
    {
        double ax = Math.Abs(x);
        if (ax < 0.5)
        {
            double t = x * x;
            double top = (((0.185777706184603153e0 * t + 0.316112374387056560e1) * t + 0.113864154151050156e3) * t + 0.377485237685302021e3) * t + 0.320937758913846947e4;
            double bot = (((t + 0.236012909523441209e2) * t + 0.244024637934444173e3) * t + 0.128261652607737228e4) * t + 0.284423683343917062e4;
            return x * top / bot;
        }
        double erfc;
        if (ax < 4.0)
        {
            double top = 0.215311535474403846e-7 * ax, bot = ax;
            for (int i = 0; i < 7; i++)
            {
                top = (top + ErfcNum[i]) * ax;
                bot = (bot + ErfcDen[i]) * ax;
            }
            top += 0.123033935479799725e4;
            bot += 0.123033935480374942e4;
            erfc = Math.Exp(-ax * ax) * top / bot;
        }
        else
        {
            double z = 1.0 / (ax * ax);
            double top = ((((0.163153871373020978e-1 * z + 0.305326634961232344e0) * z + 0.360344899949804439e0) * z + 0.125781726111229246e0) * z + 0.160837851487422766e-1) * z + 0.658749161529837803e-3;
            double bot = ((((z + 0.256852019228982242e1) * z + 0.187295284992346725e1) * z + 0.527905102951428412e0) * z + 0.605183413124413191e-1) * z + 0.233520497626869185e-2;
            erfc = Math.Exp(-ax * ax) / ax * (0.564189583547756287 - z * top / bot);
        }
        return x < 0 ? erfc - 1.0 : 1.0 - erfc;
    }
}
