using System.Diagnostics;

namespace Lfm2Vl.Deploy.Vit;

/// <summary>The stages of the compiled ViT's forward pass that <see cref="VitInferenceModel.Profile"/> times.</summary>
public enum VitStage { PatchEmbed, LayerNorm, Qkv, Sync, Scores, Softmax, Context, Proj, Fc1, Fc2, Head }

/// <summary>Milliseconds spent per <see cref="VitStage"/>, summed over the blocks (null-safe: a null timer costs one check).</summary>
internal sealed class VitStageTimes
{
    private readonly long[] _ticks = new long[Enum.GetValues<VitStage>().Length];
    private long _last = Stopwatch.GetTimestamp();

    /// <summary>Charges the time since the previous mark to <paramref name="stage"/>.</summary>
    public void Mark(VitStage stage)
    {
        long now = Stopwatch.GetTimestamp();
        _ticks[(int)stage] += now - _last;
        _last = now;
    }

    public void Restart() => _last = Stopwatch.GetTimestamp();

    public IReadOnlyList<(VitStage Stage, double Ms)> ToList() =>
        Enum.GetValues<VitStage>().Select(s => (s, _ticks[(int)s] * 1000.0 / Stopwatch.Frequency)).ToList();
}
