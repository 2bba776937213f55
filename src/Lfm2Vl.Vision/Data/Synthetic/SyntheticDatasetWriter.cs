using Lfm2Vl.Engine;

namespace Lfm2Vl.Vision.Data;

/// <summary>One written synthetic image.</summary>
public sealed record SyntheticImageInfo(DatasetSplit Split, string Path, string RelativePath, int Label,
    ImageFileFormat Format, SyntheticBackground Background, (byte R, byte G, byte B) BackgroundColor, IReadOnlyList<BoundingBox> Objects);

public sealed record SyntheticDatasetResult(string Root, IReadOnlyList<string> ClassNames, IReadOnlyList<SyntheticImageInfo> Images);

/// <summary>
/// Writes a synthetic image-folder dataset: <c>root/{train,val,test}/&lt;class&gt;/&lt;class&gt;_NNNN.{png,jpg}</c>
/// plus <c>root/annotations/instances_&lt;split&gt;.json</c> with every object's box. An image's folder is the
/// class of its main (largest) object. Splits with a count of 0 are not written.
/// </summary>
public static class SyntheticDatasetWriter
{
    public static SyntheticDatasetResult Write(string root, SyntheticDatasetOptions? options = null)
    {
        options ??= new SyntheticDatasetOptions();
        options.Validate();
        // Labels follow the ordinal order of class names, as an image-folder dataset sorts them.
        var classes = options.Classes.OrderBy(c => c.ClassName(), StringComparer.Ordinal).ToArray();
        var names = classes.Select(c => c.ClassName()).ToArray();
        var written = new List<SyntheticImageInfo>();
        foreach (var split in Enum.GetValues<DatasetSplit>())
        {
            int perClass = options.CountFor(split);
            if (perClass == 0) continue;
            var infos = new SyntheticImageInfo[classes.Length * perClass];
            Parallel.For(0, infos.Length, k =>
            {
                int label = k / perClass, n = k % perClass;
                var rng = new Generator(SampleSeeds.Derive(options.Seed, (long)split * 65536 + label, n));
                var drawn = SyntheticImageRenderer.Render(rng, label, classes, options);
                var format = options.Formats[rng.NextInt(options.Formats.Count)];
                string rel = $"{names[label]}/{names[label]}_{n:D4}{ImageEncoder.Extension(format)}";
                string path = Path.Combine(root, split.FolderName(), names[label], Path.GetFileName(rel));
                ImageEncoder.Save(drawn.Image, path, format, options.JpegQuality);
                infos[k] = new SyntheticImageInfo(split, path, rel, label, format, drawn.Background, drawn.BackgroundColor, drawn.Objects);
            });
            written.AddRange(infos);
            if (options.WriteAnnotations)
                CocoWriter.Write(Path.Combine(root, split.AnnotationPath()), names,
                    infos.Select(i => new CocoWriter.Entry(i.RelativePath, options.ImageWidth, options.ImageHeight, i.Objects)));
        }
        return new SyntheticDatasetResult(root, names, written);
    }
}
