namespace Lfm2Vl.Vision.Data;

/// <summary>What the synthetic generator writes. Every image is drawn from a generator seeded by
/// (Seed, split, class, number), so the same options give the same files.</summary>
public sealed record SyntheticDatasetOptions
{
    public int ImageWidth { get; init; } = 96;
    public int ImageHeight { get; init; } = 96;

    /// <summary>The classes drawn (each becomes a class folder named after it).</summary>
    public IReadOnlyList<SyntheticShape> Classes { get; init; } = SyntheticShapes.All;

    public int TrainPerClass { get; init; } = 40;
    public int ValPerClass { get; init; } = 10;
    public int TestPerClass { get; init; } = 10;

    /// <summary>Objects per image are uniform in [1, MaxObjectsPerImage]; the first is the largest and gives the class.</summary>
    public int MaxObjectsPerImage { get; init; } = 3;

    public IReadOnlyList<SyntheticBackground> Backgrounds { get; init; } = Enum.GetValues<SyntheticBackground>();

    /// <summary>File formats, picked at random per image.</summary>
    public IReadOnlyList<ImageFileFormat> Formats { get; init; } = [ImageFileFormat.Png, ImageFileFormat.Jpeg];

    public int JpegQuality { get; init; } = 90;

    /// <summary>Write <c>annotations/instances_&lt;split&gt;.json</c> with every object's box.</summary>
    public bool WriteAnnotations { get; init; } = true;

    public ulong Seed { get; init; }

    public int CountFor(DatasetSplit split) => split switch
    {
        DatasetSplit.Train => TrainPerClass,
        DatasetSplit.Val => ValPerClass,
        _ => TestPerClass,
    };

    internal void Validate()
    {
        if (ImageWidth < 16 || ImageHeight < 16) throw new ArgumentOutOfRangeException(nameof(ImageWidth), $"Synthetic images must be at least 16x16, not {ImageWidth}x{ImageHeight}.");
        if (Classes.Count == 0 || Classes.Distinct().Count() != Classes.Count) throw new ArgumentException("Classes must be a non-empty list without repeats.", nameof(Classes));
        if (MaxObjectsPerImage < 1) throw new ArgumentOutOfRangeException(nameof(MaxObjectsPerImage), "At least one object per image.");
        if (Backgrounds.Count == 0) throw new ArgumentException("At least one background kind.", nameof(Backgrounds));
        if (Formats.Count == 0) throw new ArgumentException("At least one file format.", nameof(Formats));
        if (TrainPerClass < 0 || ValPerClass < 0 || TestPerClass < 0) throw new ArgumentOutOfRangeException(nameof(TrainPerClass), "Counts cannot be negative.");
    }
}
