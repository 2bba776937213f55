using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Data;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Vision.Detection;

/// <summary>Weights of the three detection terms.</summary>
public sealed record DetectionLossWeights(double Classification = 1.0, double Box = 1.0, double Centerness = 1.0);

/// <summary>The parts of the detection loss, each a scalar tensor; <see cref="Total"/> is their weighted sum.</summary>
public sealed record DetectionLossParts(Tensor Total, Tensor Classification, Tensor Box, Tensor Centerness, int NumPositive);

/// <summary>
/// FCOS loss: sigmoid focal loss on classes (normalized by the number of positive cells), GIoU loss on the
/// boxes of positive cells weighted by their centerness target, and BCE on centerness at positive cells.
/// Images without boxes contribute background cells only.
/// </summary>
public static class DetectionLoss
{
    public static DetectionLossParts Compute(DetectionMaps maps, IReadOnlyList<IReadOnlyList<BoundingBox>> boxes, DetectionLossWeights? weights = null)
    {
        weights ??= new DetectionLossWeights();
        var cls = maps.ClassLogits;
        int n = cls.Size(0), k = cls.Size(1), h = cls.Size(2), w = cls.Size(3);
        if (boxes.Count != n) throw new ArgumentException($"Detection loss: {boxes.Count} box lists for a batch of {n}.");
        var t = FcosTargets.Build(boxes, k, h, w, maps.Stride, cls.DType, cls.Device);
        double norm = Math.Max(t.NumPositive, 1);

        var clsLoss = Functional.SigmoidFocalLoss(cls, t.Classes, reduction: Reduction.Sum) / norm;
        var pred = FcosTargets.DecodeBoxes(maps.BoxDistances, maps.Stride);
        var giou = Functional.GeneralizedIouLoss(pred, t.Boxes);                    // [N, HW]
        var ctrWeight = t.Centerness * t.Positive;
        var boxLoss = (giou * ctrWeight).Sum() / Math.Max(t.CenternessSum, 1e-6);
        var ctrLogits = maps.Centerness.Reshape(n, h * w);
        var ctrLoss = Functional.BinaryCrossEntropyWithLogits(ctrLogits, t.Centerness, weight: t.Positive, reduction: Reduction.Sum) / norm;

        var total = clsLoss * weights.Classification + boxLoss * weights.Box + ctrLoss * weights.Centerness;
        return new DetectionLossParts(total, clsLoss, boxLoss, ctrLoss, t.NumPositive);
    }
}
