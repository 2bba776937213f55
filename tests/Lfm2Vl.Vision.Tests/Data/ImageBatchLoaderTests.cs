using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Data;
using Xunit;

namespace Lfm2Vl.Vision.Tests.Data;

public class ImageBatchLoaderTests
{
    private static readonly TransformPipeline Train = new TransformConfig { ImageSize = 16, Contrast = 0.2, Saturation = 0.2, Hue = 0.05 }.BuildTrain();

    /// <summary>23 images of varied sizes, three classes, a box on every other image.</summary>
    private static InMemoryImageDataset Memory(int count = 23)
    {
        var items = Enumerable.Range(0, count).Select(i =>
        {
            var img = TestImages.Random(20 + i % 7, 18 + i % 5, (ulong)i + 100);
            BoundingBox[] boxes = i % 2 == 0 ? [new BoundingBox(2, 3, 15, 14, i % 3)] : [];
            return new LabeledImage(img, i % 3, boxes);
        });
        return new InMemoryImageDataset(["a", "b", "c"], items);
    }

    private sealed record BatchData(float[] Images, int[] Shape, int[] Labels, int[] Indices, BoundingBox[][] Boxes);

    private static List<BatchData> Collect(ImageBatchLoader loader, int epoch)
    {
        var result = new List<BatchData>();
        foreach (var b in loader.Epoch(epoch))
            using (b)
                result.Add(new BatchData(b.Images.ToArray<float>(), b.Images.Shape, b.Labels.ToArray<int>(), b.Indices.ToArray(),
                    b.Boxes.Select(x => x.ToArray()).ToArray()));
        return result;
    }

    private static void AssertSame(List<BatchData> a, List<BatchData> b)
    {
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Shape, b[i].Shape);
            Assert.Equal(a[i].Indices, b[i].Indices);
            Assert.Equal(a[i].Labels, b[i].Labels);
            Assert.Equal(a[i].Images, b[i].Images);
            Assert.Equal(a[i].Boxes.Length, b[i].Boxes.Length);
            for (int j = 0; j < a[i].Boxes.Length; j++) Assert.Equal(a[i].Boxes[j], b[i].Boxes[j]);
        }
    }

    [Fact]
    public void SameSeedGivesTheSameBatchesWhateverTheNumberOfWorkers()
    {
        var ds = Memory();
        var runs = new Dictionary<int, List<BatchData>[]>();
        foreach (int workers in new[] { 0, 1, 3 })
        {
            using var loader = new ImageBatchLoader(ds, Train, new LoaderOptions { BatchSize = 5, NumWorkers = workers, Seed = 42, PrefetchBatches = 1 });
            runs[workers] = [Collect(loader, 0), Collect(loader, 1)];
        }
        AssertSame(runs[1][0], runs[0][0]);
        AssertSame(runs[1][0], runs[3][0]);
        AssertSame(runs[1][1], runs[3][1]);
        // epochs differ in order and augmentation
        Assert.NotEqual(runs[1][0][0].Indices, runs[1][1][0].Indices);
        // every sample appears once per epoch; the last batch holds the remainder
        Assert.Equal(Enumerable.Range(0, 23), runs[3][0].SelectMany(b => b.Indices).Order());
        Assert.Equal([5, 5, 5, 5, 3], runs[3][0].Select(b => b.Indices.Length));
        Assert.Equal([3, 3, 16, 16], runs[3][0][^1].Shape);
    }

    [Fact]
    public void ADifferentSeedGivesDifferentBatches()
    {
        var ds = Memory();
        using var a = new ImageBatchLoader(ds, Train, new LoaderOptions { BatchSize = 8, NumWorkers = 2, Seed = 1 });
        using var b = new ImageBatchLoader(ds, Train, new LoaderOptions { BatchSize = 8, NumWorkers = 2, Seed = 2 });
        Assert.NotEqual(Collect(a, 0)[0].Images, Collect(b, 0)[0].Images);
    }

    [Fact]
    public void BatchesHaveTheDocumentedShapesTypesLabelsAndBoxes()
    {
        var ds = Memory(10);
        using var loader = new ImageBatchLoader(ds, Train, new LoaderOptions { BatchSize = 4, Shuffle = false, DropLast = true, NumWorkers = 2 });
        Assert.Equal(2, loader.BatchesPerEpoch);
        var batches = loader.Epoch(0).ToList();
        Assert.Equal(2, batches.Count);
        var first = batches[0];
        Assert.Equal([4, 3, 16, 16], first.Images.Shape);
        Assert.Equal(DType.Float32, first.Images.DType);
        Assert.Equal(DType.Int32, first.Labels.DType);
        Assert.Equal([0, 1, 2, 3], first.Indices);
        Assert.Equal([0, 1, 2, 0], first.Labels.ToArray<int>());
        Assert.All(first.Boxes.SelectMany(b => b), b => Assert.True(b.IsInside(16, 16)));
        Assert.Empty(first.Boxes[1]); // image 1 had no box
        // normalised values: (0 - 0.485) / 0.229 <= x <= (1 - 0.406) / 0.225
        Assert.All(first.Images.ToArray<float>(), v => Assert.InRange(v, -2.2f, 2.7f));
        foreach (var b in batches) b.Dispose();
        Assert.True(first.Images.IsDisposed);
    }

    [Fact]
    public void TensorsBelongToTheScopeOpenOnTheConsumingThread()
    {
        using var loader = new ImageBatchLoader(Memory(6), Train, new LoaderOptions { BatchSize = 3, NumWorkers = 2 });
        ImageBatch? kept = null;
        using (var scope = TensorScope.Begin())
        {
            foreach (var batch in loader.Epoch(1)) { kept = batch; break; }
            Assert.False(kept!.Images.IsDisposed);
        }
        Assert.True(kept.Images.IsDisposed); // the consumer's scope released it
    }

    [Fact]
    public void CachedImagesGiveTheSameBatchesAndAreDecodedOnce()
    {
        using var dir = new TempFolder();
        FolderBuilder.Standard(dir.Path);
        var ds = ImageFolderDataset.Load(dir.Path, DatasetSplit.Train);
        var options = new LoaderOptions { BatchSize = 3, NumWorkers = 2, Seed = 7 };
        using var plain = new ImageBatchLoader(ds, Train, options);
        using var cached = new ImageBatchLoader(ds, Train, options with { CacheImages = true });
        var expected = Collect(plain, 0);
        AssertSame(expected, Collect(cached, 0));
        var cache = Assert.IsType<CachedImageDataset>(cached.Dataset);
        Assert.Equal(4, cache.CachedCount);
        // once cached, the files are not needed any more; without the cache every image is now unreadable
        Directory.Delete(dir.File("train"), recursive: true);
        Assert.Equal(2, Collect(cached, 1).Count);
        Assert.Empty(Collect(plain, 1));
        Assert.Equal(4, ds.Report.SkippedCount);
    }

    [Fact]
    public void AnImageThatFailsWhileLoadingIsLeftOutOfItsBatchAndReportedOnce()
    {
        using var dir = new TempFolder();
        FolderBuilder.Standard(dir.Path);
        string cut = dir.File("train", "a", "3.png");
        CorruptImageWriter.Write(cut, ImageCorruption.TruncatedPng); // the header is fine, the data is not
        var ds = ImageFolderDataset.Load(dir.Path, DatasetSplit.Train);
        Assert.Equal(5, ds.Count);
        var warnings = new List<DataWarning>();
        using var loader = new ImageBatchLoader(ds, Train, new LoaderOptions { BatchSize = 5, Shuffle = false, NumWorkers = 3, OnWarning = warnings.Add });
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var batch = Assert.Single(loader.Epoch(epoch));
            Assert.Equal(4, batch.Count);
            Assert.Equal([4, 3, 16, 16], batch.Images.Shape);
            Assert.DoesNotContain(2, batch.Indices); // a/3.png is the third file
            batch.Dispose();
        }
        var w = Assert.Single(warnings);
        Assert.Equal(cut, w.Path);
        Assert.Contains(cut, w.Message);
        Assert.Equal([cut], ds.Report.SkippedFiles);
    }

    [Fact]
    public void StrictLoadingThrowsNamingTheFile()
    {
        using var dir = new TempFolder();
        FolderBuilder.Standard(dir.Path);
        string cut = dir.File("train", "b", "3.png");
        CorruptImageWriter.Write(cut, ImageCorruption.TruncatedPng);
        var ds = ImageFolderDataset.Load(dir.Path, DatasetSplit.Train);
        using var loader = new ImageBatchLoader(ds, Train, new LoaderOptions { BatchSize = 2, NumWorkers = 2, Strict = true });
        var e = Assert.Throws<ImageDecodeException>(() => { foreach (var b in loader.Epoch(0)) b.Dispose(); });
        Assert.Equal(cut, e.Path);
        // the loader is still usable after the failed epoch
        Assert.Throws<ImageDecodeException>(() => loader.Epoch(1).ToList());
    }

    [Fact]
    public void LeavingAnEpochEarlyDoesNotDisturbTheNextOne()
    {
        var ds = Memory();
        using var loader = new ImageBatchLoader(ds, Train, new LoaderOptions { BatchSize = 4, NumWorkers = 3, PrefetchBatches = 3, Seed = 3 });
        foreach (var b in loader.Epoch(0)) { b.Dispose(); break; }
        var after = Collect(loader, 1);
        using var fresh = new ImageBatchLoader(ds, Train, new LoaderOptions { BatchSize = 4, NumWorkers = 1, Seed = 3 });
        AssertSame(Collect(fresh, 1), after);
    }

    [Fact]
    public void OnlyOneEpochAtATime()
    {
        using var loader = new ImageBatchLoader(Memory(8), Train, new LoaderOptions { BatchSize = 2, NumWorkers = 1 });
        using var first = loader.Epoch(0).GetEnumerator();
        Assert.True(first.MoveNext());
        first.Current.Dispose();
        Assert.Throws<InvalidOperationException>(() => loader.Epoch(1).GetEnumerator().MoveNext());
    }

    [Fact]
    public void DisposeStopsTheWorkers()
    {
        var loader = new ImageBatchLoader(Memory(), Train, new LoaderOptions { BatchSize = 4, NumWorkers = 3, PrefetchBatches = 4 });
        Assert.Equal(3, loader.AliveWorkers);
        using (var e = loader.Epoch(0).GetEnumerator())
        {
            Assert.True(e.MoveNext());
            e.Current.Dispose();
            loader.Dispose(); // while batches are still being prepared
            Assert.Throws<ObjectDisposedException>(() => e.MoveNext());
        }
        Assert.Equal(0, loader.AliveWorkers);
        Assert.Throws<ObjectDisposedException>(() => loader.Epoch(1));
        loader.Dispose(); // twice is fine
    }

    [Fact]
    public void OptionsAreValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageBatchLoader(Memory(2), Train, new LoaderOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageBatchLoader(Memory(2), Train, new LoaderOptions { NumWorkers = -1 }));
    }
}
