namespace Lfm2Vl.Vision.Data;

/// <summary>
/// What a dataset found and what it left out: counts, skipped files and warnings. Loading can add to it
/// later (an image that fails to decode while training), so it is safe to read from any thread.
/// </summary>
public sealed class DatasetReport
{
    private readonly object _lock = new();
    private readonly List<DataWarning> _warnings = new();
    private readonly List<string> _skipped = new();
    private readonly HashSet<string> _skippedSet = new(StringComparer.Ordinal);

    public DatasetReport(string name) => Name = name;

    /// <summary>What the report is about, e.g. "data/train".</summary>
    public string Name { get; }

    /// <summary>Files with an image extension found in the class folders.</summary>
    public int ImageFilesFound { get; internal set; }

    /// <summary>Files without an image extension (or hidden), ignored.</summary>
    public int IgnoredFiles { get; internal set; }

    /// <summary>Images that have at least one box.</summary>
    public int ImagesWithBoxes { get; internal set; }

    /// <summary>Boxes kept from the annotation file.</summary>
    public int BoxCount { get; internal set; }

    /// <summary>The annotation file read, if any.</summary>
    public string? AnnotationFile { get; internal set; }

    public IReadOnlyList<DataWarning> Warnings { get { lock (_lock) return _warnings.ToArray(); } }

    /// <summary>Image files skipped as unreadable, each listed once.</summary>
    public IReadOnlyList<string> SkippedFiles { get { lock (_lock) return _skipped.ToArray(); } }

    public int SkippedCount { get { lock (_lock) return _skipped.Count; } }

    /// <summary>Adds a warning; an unreadable image is recorded once however often it is met.
    /// Returns false when it was already recorded.</summary>
    public bool Add(DataWarning warning)
    {
        lock (_lock)
        {
            if (warning.Kind == DataWarningKind.UnreadableImage)
            {
                if (!_skippedSet.Add(warning.Path)) return false;
                _skipped.Add(warning.Path);
            }
            _warnings.Add(warning);
            return true;
        }
    }

    public bool IsSkipped(string path) { lock (_lock) return _skippedSet.Contains(path); }

    /// <summary>One line for a log: "data/train: 120 images, 2 skipped (unreadable), 3 ignored files, 4 warnings".</summary>
    public string Summary()
    {
        lock (_lock)
        {
            var s = $"{Name}: {ImageFilesFound - _skipped.Count} images, {_skipped.Count} skipped (unreadable), {IgnoredFiles} ignored non-image files";
            if (AnnotationFile is not null) s += $", {BoxCount} boxes on {ImagesWithBoxes} images";
            return s + $", {_warnings.Count} warnings";
        }
    }

    public override string ToString() => Summary();
}
