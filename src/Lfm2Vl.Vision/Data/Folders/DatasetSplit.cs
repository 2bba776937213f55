namespace Lfm2Vl.Vision.Data;

public enum DatasetSplit { Train, Val, Test }

public static class DatasetSplits
{
    /// <summary>The folder name of a split: train, val or test.</summary>
    public static string FolderName(this DatasetSplit split) => split switch
    {
        DatasetSplit.Train => "train",
        DatasetSplit.Val => "val",
        DatasetSplit.Test => "test",
        _ => throw new ArgumentOutOfRangeException(nameof(split)),
    };

    /// <summary>The COCO annotation file of a split, relative to the dataset root.</summary>
    public static string AnnotationPath(this DatasetSplit split) => Path.Combine("annotations", $"instances_{split.FolderName()}.json");
}
