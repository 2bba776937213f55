namespace Lfm2Vl.Vision.Data;

/// <summary>
/// One split of an image-folder dataset, <c>root/&lt;split&gt;/&lt;class&gt;/*.{jpg,jpeg,png,bmp}</c>, with
/// optional COCO boxes from <c>root/annotations/instances_&lt;split&gt;.json</c>. Class names are train's
/// class folders sorted ordinally (store them with a model). Unreadable images are skipped with a warning
/// in <see cref="Report"/>, or stop the scan in strict mode; layout mistakes throw
/// <see cref="ImageFolderLayoutException"/>.
/// </summary>
public sealed class ImageFolderDataset : IImageDataset
{
    private readonly ImageSample[] _samples;

    private ImageFolderDataset(string root, DatasetSplit split, IReadOnlyList<string> classNames, ImageSample[] samples, DatasetReport report)
    {
        Root = root;
        Split = split;
        ClassNames = classNames;
        _samples = samples;
        Report = report;
    }

    public string Root { get; }
    public DatasetSplit Split { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public IReadOnlyList<ImageSample> Samples => _samples;
    public DatasetReport Report { get; }
    public int Count => _samples.Length;

    /// <summary>Whether any sample has boxes.</summary>
    public bool HasBoxes => _samples.Any(s => s.Boxes.Count > 0);

    public int LabelOf(int index) => _samples[index].Label;
    public string NameOf(int index) => _samples[index].Path;

    /// <summary>Train's class names without scanning any images (for a model's metadata).</summary>
    public static IReadOnlyList<string> ReadClassNames(string root) => ImageFolderScanner.ReadClassNames(root);

    /// <summary>Scans one split.</summary>
    public static ImageFolderDataset Load(string root, DatasetSplit split, ImageFolderOptions? options = null)
    {
        options ??= new ImageFolderOptions();
        var scan = ImageFolderScanner.Scan(root, split);
        var report = new DatasetReport(Path.Combine(root, split.FolderName()))
        {
            ImageFilesFound = scan.Files.Count,
            IgnoredFiles = scan.IgnoredFiles,
        };
        void Warn(DataWarning w)
        {
            if (report.Add(w)) options.OnWarning?.Invoke(w);
        }

        var readable = CheckFiles(scan.Files, options, Warn);

        Dictionary<int, CocoMatcher.Match>? boxes = null;
        string annotationPath = Path.Combine(root, split.AnnotationPath());
        if (options.LoadAnnotations && File.Exists(annotationPath))
        {
            report.AnnotationFile = annotationPath;
            boxes = CocoMatcher.Attach(CocoFile.Read(annotationPath), split, scan.Files, scan.ClassNames, Warn);
        }

        var samples = new List<ImageSample>(scan.Files.Count);
        for (int i = 0; i < scan.Files.Count; i++)
        {
            if (!readable[i]) continue;
            var f = scan.Files[i];
            if (boxes is not null && boxes.TryGetValue(i, out var m))
            {
                samples.Add(new ImageSample(f.Path, f.RelativePath, f.Label, m.Boxes.ToArray(), m.Width, m.Height));
                if (m.Boxes.Count > 0) { report.ImagesWithBoxes++; report.BoxCount += m.Boxes.Count; }
            }
            else samples.Add(new ImageSample(f.Path, f.RelativePath, f.Label, Array.Empty<BoundingBox>()));
        }

        var present = samples.Select(s => s.Label).ToHashSet();
        foreach (int label in scan.Files.Select(f => f.Label).Distinct().Where(l => !present.Contains(l)))
        {
            string dir = Path.Combine(root, split.FolderName(), scan.ClassNames[label]);
            Warn(new DataWarning(DataWarningKind.EmptyClass, dir, $"Class '{scan.ClassNames[label]}' has no readable images in '{dir}'."));
        }
        return new ImageFolderDataset(root, split, scan.ClassNames, samples.ToArray(), report);
    }

    /// <summary>Checks files in parallel; warnings (or the strict-mode exception) come in file order.</summary>
    private static bool[] CheckFiles(IReadOnlyList<ImageFolderScanner.ScannedFile> files, ImageFolderOptions options, Action<DataWarning> warn)
    {
        var ok = new bool[files.Count];
        var problems = new string?[files.Count];
        if (options.Check == ImageCheck.None) { Array.Fill(ok, true); return ok; }
        var po = new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount };
        Parallel.For(0, files.Count, po, i =>
        {
            string path = files[i].Path;
            if (options.Check == ImageCheck.Header)
            {
                ok[i] = ImageDecoder.ReadSize(path, out problems[i]) is not null;
            }
            else
            {
                try { ImageDecoder.DecodeFile(path); ok[i] = true; }
                catch (ImageDecodeException e) { problems[i] = e.Reason; }
            }
        });
        for (int i = 0; i < files.Count; i++)
        {
            if (ok[i]) continue;
            if (options.Strict) throw new ImageDecodeException(files[i].Path, problems[i] ?? "unreadable");
            warn(new DataWarning(DataWarningKind.UnreadableImage, files[i].Path, $"Skipped unreadable image '{files[i].Path}': {problems[i]}"));
        }
        return ok;
    }

    /// <summary>Decodes sample <paramref name="index"/>; boxes are rescaled to the decoded size when the
    /// annotation gave another size, then clipped (boxes under one pixel are dropped).</summary>
    public LabeledImage Load(int index)
    {
        var s = _samples[index];
        var image = ImageDecoder.DecodeFile(s.Path);
        if (s.Boxes.Count == 0) return new LabeledImage(image, s.Label, Array.Empty<BoundingBox>());
        var boxes = new List<BoundingBox>(s.Boxes);
        int aw = s.AnnotatedWidth ?? image.Width, ah = s.AnnotatedHeight ?? image.Height;
        BoxGeometry.CropAndScale(boxes, 0, 0, aw, ah, image.Width, image.Height);
        return new LabeledImage(image, s.Label, boxes.ToArray());
    }
}
