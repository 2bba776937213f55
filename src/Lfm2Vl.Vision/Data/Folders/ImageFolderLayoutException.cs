namespace Lfm2Vl.Vision.Data;

/// <summary>The dataset folder does not have the image-folder layout; the message shows the layout expected.</summary>
public sealed class ImageFolderLayoutException : Exception
{
    public ImageFolderLayoutException(string root, string problem)
        : base(problem + Environment.NewLine + Environment.NewLine + ExpectedLayout(root))
    {
        Root = root;
        Problem = problem;
    }

    public string Root { get; }
    public string Problem { get; }

    /// <summary>The layout an image-folder dataset must have, drawn as a tree.</summary>
    public static string ExpectedLayout(string root) => string.Join(Environment.NewLine,
        "Expected layout:",
        $"  {root.TrimEnd('/', '\\')}/",
        "  ├── train/",
        "  │   ├── <class_a>/          one folder per class; its name is the label",
        "  │   │   ├── image001.jpg",
        "  │   │   └── ...",
        "  │   └── <class_b>/",
        "  │       └── ...",
        "  ├── val/                    the class folders of train (a subset is fine)",
        "  │   └── <class_a>/ ...",
        "  ├── test/                   the class folders of train (a subset is fine)",
        "  │   └── <class_a>/ ...",
        "  └── annotations/            optional COCO boxes per split",
        "      ├── instances_train.json",
        "      ├── instances_val.json",
        "      └── instances_test.json",
        $"Image files: {string.Join(" ", ImageDecoder.Extensions)} (any letter case); other files are ignored.");
}
