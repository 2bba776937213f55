namespace Lfm2Vl.Benchmarks.Table;

/// <summary>
/// One row of the peers table: <see cref="Key"/> is shared with benchmarks/peers/torch_peers.py; <see cref="Flops"/>
/// is the work of one call (0 where it is not defined here: the peers script counts the models' flops) and
/// <see cref="Images"/> the images of one call (0 for kernels). <see cref="Run"/> does one call.
/// <see cref="Parameters"/> (models) lets the table check that both sides built the same architecture.
/// </summary>
public sealed record TableWorkload(string Key, double Flops, int Images, Action Run, IDisposable? Owner = null, long Parameters = 0);
