namespace Lfm2Vl.Engine;

/// <summary>How a loss combines per-element values.</summary>
public enum Reduction
{
    Mean,
    Sum,
    None,
}

// Losses, written to be numerically stable (log-sum-exp and softplus forms, never log(sigmoid)), with
// PyTorch's semantics for weights, smoothing and ignored targets.
public static partial class Functional
{
    private static Tensor Reduce(Tensor perElement, Reduction reduction) => reduction switch
    {
        Reduction.Mean => perElement.Mean(),
        Reduction.Sum => perElement.Sum(),
        _ => perElement,
    };

    /// <summary>
    /// Cross-entropy from logits [N, C] and int32 class targets [N]. Optional per-class weights, label smoothing
    /// (PyTorch's formula), and an ignored target value. Mean reduction divides by the summed weights of the
    /// counted targets, as PyTorch does.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Tensor? weight = null, double labelSmoothing = 0,
        int ignoreIndex = -100, Reduction reduction = Reduction.Mean)
    {
        if (logits.Rank != 2) throw new ArgumentException($"CrossEntropy expects logits [N, C], got {ShapeUtil.Format(logits.Dims)}.");
        if (target.DType != DType.Int32 || target.Rank != 1 || target.Dims[0] != logits.Dims[0])
            throw new ArgumentException($"CrossEntropy expects int32 targets [{logits.Dims[0]}], got {target.DType.Name()} {ShapeUtil.Format(target.Dims)}.");
        if (labelSmoothing < 0 || labelSmoothing > 1) throw new ArgumentOutOfRangeException(nameof(labelSmoothing), "Label smoothing must be in [0, 1].");
        int c = logits.Dims[1];
        if (weight is not null && (weight.Rank != 1 || weight.Dims[0] != c))
            throw new ArgumentException($"CrossEntropy: class weights must have shape [{c}], got {ShapeUtil.Format(weight.Dims)}.");

        var logp = logits.LogSoftmax(1);
        using var targetF = target.To(logits.DType);
        var valid = 1.0 - Tensor.Equal(targetF, logits.ScalarLike(ignoreIndex));                  // [N]
        using var zeroIdx = Tensor.Zeros([], DType.Int32, target.Device);
        using var safe = Tensor.Where(valid, target, zeroIdx);                                      // ignored -> class 0
        var picked = logp.Gather(1, safe.Unsqueeze(1)).Squeeze(1);                                  // log p[i, t_i]
        var w = weight is null ? valid : weight.IndexSelect(0, safe) * valid;                       // w_i
        var loss = -(picked * w);
        if (labelSmoothing > 0)
        {
            var perClass = weight is null ? logp : logp * weight;
            var smooth = -(perClass.Sum(1) * valid);
            loss = loss * (1 - labelSmoothing) + smooth * (labelSmoothing / c);
        }
        return reduction switch
        {
            Reduction.Mean => loss.Sum() / w.Sum(),
            Reduction.Sum => loss.Sum(),
            _ => loss,
        };
    }

    /// <summary>
    /// Binary cross-entropy on logits: max(x,0) - x*t + log(1 + exp(-|x|)), with PyTorch's pos_weight form when
    /// given; targets are probabilities of x's shape.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor? weight = null, Tensor? posWeight = null,
        Reduction reduction = Reduction.Mean)
    {
        var softplusNegAbs = (-logits.Abs()).Exp().AddScalar(1).Log();                                 // log(1 + e^-|x|)
        Tensor loss;
        if (posWeight is null) loss = logits.Relu() - logits * target + softplusNegAbs;
        else
        {
            var logWeight = (posWeight - 1.0) * target + 1.0;
            loss = (1.0 - target) * logits + logWeight * (softplusNegAbs + (-logits).Relu());
        }
        if (weight is not null) loss = loss * weight;
        return Reduce(loss, reduction);
    }

    /// <summary>Sigmoid focal loss (RetinaNet; as torchvision.ops.sigmoid_focal_loss). alpha &lt; 0 disables weighting.</summary>
    public static Tensor SigmoidFocalLoss(Tensor logits, Tensor target, double alpha = 0.25, double gamma = 2, Reduction reduction = Reduction.None)
    {
        var p = logits.Sigmoid();
        var ce = BinaryCrossEntropyWithLogits(logits, target, reduction: Reduction.None);
        var pt = p * target + (1.0 - p) * (1.0 - target);
        var loss = ce * (1.0 - pt).Pow(gamma);
        if (alpha >= 0) loss = loss * (target * alpha + (1.0 - target) * (1 - alpha));
        return Reduce(loss, reduction);
    }

    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) => Reduce((input - target).Square(), reduction);

    /// <summary>Smooth L1: 0.5 d^2 / beta where |d| &lt; beta, else |d| - 0.5 beta.</summary>
    public static Tensor SmoothL1Loss(Tensor input, Tensor target, double beta = 1.0, Reduction reduction = Reduction.Mean)
    {
        var d = (input - target).Abs();
        if (beta == 0) return Reduce(d, reduction);
        var quad = d.Square() * (0.5 / beta);
        var lin = d - 0.5 * beta;
        return Reduce(Tensor.Where(Tensor.Less(d, d.ScalarLike(beta)), quad, lin), reduction);
    }

    /// <summary>Huber: 0.5 d^2 where |d| &lt;= delta, else delta (|d| - 0.5 delta).</summary>
    public static Tensor HuberLoss(Tensor input, Tensor target, double delta = 1.0, Reduction reduction = Reduction.Mean)
    {
        var d = (input - target).Abs();
        var quad = d.Square() * 0.5;
        var lin = (d - 0.5 * delta) * delta;
        return Reduce(Tensor.Where(Tensor.Greater(d, d.ScalarLike(delta)), lin, quad), reduction);
    }

    /// <summary>
    /// Generalized IoU loss 1 - GIoU for boxes [..., 4] as (x1, y1, x2, y2), as torchvision's
    /// generalized_box_iou_loss (eps 1e-7 in both divisions).
    /// </summary>
    public static Tensor GeneralizedIouLoss(Tensor boxes, Tensor targets, Reduction reduction = Reduction.None, double eps = 1e-7)
    {
        if (boxes.Dims[^1] != 4 || targets.Dims[^1] != 4) throw new ArgumentException("GIoU loss expects boxes [..., 4] as (x1, y1, x2, y2).");
        var b = boxes.Split(1, -1); var t = targets.Split(1, -1);
        var (x1, y1, x2, y2) = (b[0], b[1], b[2], b[3]);
        var (u1, v1, u2, v2) = (t[0], t[1], t[2], t[3]);
        var areaB = (x2 - x1) * (y2 - y1);
        var areaT = (u2 - u1) * (v2 - v1);
        // Relu rather than Clamp(min: 0): for boxes that merely touch (a side of width exactly 0) its gradient is 0,
        // as in torchvision, which counts the intersection only where both sides are > 0.
        var iw = (Tensor.Minimum(x2, u2) - Tensor.Maximum(x1, u1)).Relu();
        var ih = (Tensor.Minimum(y2, v2) - Tensor.Maximum(y1, v1)).Relu();
        var inter = iw * ih;
        var union = areaB + areaT - inter;
        var iou = inter / (union + eps);
        var ew = Tensor.Maximum(x2, u2) - Tensor.Minimum(x1, u1);
        var eh = Tensor.Maximum(y2, v2) - Tensor.Minimum(y1, v1);
        var enclosing = ew * eh;
        var giou = iou - (enclosing - union) / (enclosing + eps);
        return Reduce((1.0 - giou).Squeeze(-1), reduction);
    }
}
