using Lfm2Vl.Deploy;

/// <summary>
/// The side-by-side table of one run: every measured path per model and batch (latency in ms at batch 1, images/s
/// above), and the best of ours against ONNX Runtime (> 1 means ours is faster).
/// </summary>
internal static class PeerTable
{
    private const string Peer = "onnxruntime";

    public static string Markdown(IReadOnlyList<(string Model, string Path, LatencyResult Result)> results)
    {
        var paths = results.Select(r => r.Path).Distinct().ToList();
        var sb = new System.Text.StringBuilder();
        sb.AppendLine();
        sb.AppendLine($"| model | batch | {string.Join(" | ", paths)} | best ours / ORT |");
        sb.AppendLine($"|---|--:|{string.Concat(paths.Select(_ => "--:|"))}--:|");
        foreach (var group in results.GroupBy(r => (r.Model, r.Result.Batch)))
        {
            bool latency = group.Key.Batch == 1;
            string Cell(LatencyResult r) => latency ? $"{r.MedianMs:F2} ms" : $"{r.ImagesPerSecond:F0} img/s";
            var byPath = group.ToDictionary(r => r.Path, r => r.Result);
            var cells = paths.Select(p => byPath.TryGetValue(p, out var r) ? Cell(r) : "");
            var ours = group.Where(r => r.Path != Peer).Select(r => r.Result.ImagesPerSecond).DefaultIfEmpty(0).Max();
            string ratio = byPath.TryGetValue(Peer, out var peer) ? $"{ours / peer.ImagesPerSecond:F2}" : "";
            sb.AppendLine($"| {group.Key.Model} | {group.Key.Batch} | {string.Join(" | ", cells)} | {ratio} |");
        }
        return sb.ToString();
    }
}
