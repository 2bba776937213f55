using Lfm2Vl.Benchmarks.Reporting;

namespace Lfm2Vl.Benchmarks.Models;

/// <summary>
/// One model workload: a registry model (<see cref="Backbone"/>/<see cref="Variant"/>) on square images of
/// <see cref="ImageSize"/> pixels, <see cref="Batch"/> images per step. <see cref="Key"/> names it in reports and in
/// the peers table (benchmarks/peers/torch_peers.py uses the same keys).
/// </summary>
public sealed record ModelCase(string Key, string Backbone, string Variant, int ImageSize, int Batch) : IImageCount, IComparable<ModelCase>, IComparable
{
    /// <summary>Classes of the classification head (the peers use the same head).</summary>
    public const int Classes = 10;

    public int Images => Batch;

    public static ModelCase SmallCnn(int batch) => new("small-cnn", "cnn", "small", 64, batch);
    public static ModelCase ResNet18(int batch) => new("resnet18", "cnn", "resnet18", 224, batch);
    public static ModelCase VitTi(int batch) => new("vit-ti", "vit", "ti", 224, batch);

    /// <summary>Training batches of issue #9: small CNN 64, ResNet-18 32, ViT-Ti/16 8.</summary>
    public static IEnumerable<ModelCase> Training() => [SmallCnn(64), ResNet18(32), VitTi(8)];

    /// <summary>Inference at batch 32 and batch 1 for all three, plus the small CNN's batch 64 of the peer figures.</summary>
    public static IEnumerable<ModelCase> Inference() =>
        [SmallCnn(64), SmallCnn(32), SmallCnn(1), ResNet18(32), ResNet18(1), VitTi(32), VitTi(1)];

    // Keep the declared order (model, then batch descending) in reports.
    private int Order => (Key switch { "small-cnn" => 0, "resnet18" => 1, _ => 2 }) * 1000 - Batch;

    public int CompareTo(ModelCase? other) => other is null ? 1 : Order.CompareTo(other.Order);

    public int CompareTo(object? obj) => CompareTo(obj as ModelCase);

    public override string ToString() => $"{Key} {ImageSize}px b{Batch}";
}
