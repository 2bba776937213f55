namespace Lfm2Vl.Vision.Data;

/// <summary>Images already in memory (demos, tests, a single folder of uploads).</summary>
public sealed class InMemoryImageDataset : IImageDataset
{
    private readonly LabeledImage[] _items;

    public InMemoryImageDataset(IReadOnlyList<string> classNames, IEnumerable<LabeledImage> items, string name = "memory")
    {
        ClassNames = classNames.ToArray();
        _items = items.ToArray();
        foreach (var item in _items)
            if (item.Label < 0 || item.Label >= ClassNames.Count)
                throw new ArgumentException($"Label {item.Label} is outside the {ClassNames.Count} classes.", nameof(items));
        Report = new DatasetReport(name) { ImageFilesFound = _items.Length };
    }

    public int Count => _items.Length;
    public IReadOnlyList<string> ClassNames { get; }
    public DatasetReport Report { get; }
    public int LabelOf(int index) => _items[index].Label;
    public string NameOf(int index) => $"{Report.Name}[{index}]";
    public LabeledImage Load(int index) => _items[index];
}
