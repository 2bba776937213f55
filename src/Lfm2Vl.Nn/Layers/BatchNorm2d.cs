using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Nn.Layers;

/// <summary>
/// Batch normalization over channels of NCHW (or [N, C]) input, with running statistics as buffers. Training
/// mode uses batch statistics and updates the running ones; evaluation uses the running ones. Setting
/// <see cref="StatisticsFrozen"/> makes training behave like evaluation (used while a fine-tuned stage is frozen).
/// </summary>
public sealed class BatchNorm2d : Module<Tensor, Tensor>
{
    public BatchNorm2d(int channels, double eps = 1e-5, double momentum = 0.1, bool affine = true, DType dtype = DType.Float32)
    {
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels));
        (Channels, Eps, Momentum) = (channels, eps, momentum);
        if (affine)
        {
            Weight = RegisterParameter("weight", new Parameter(Tensor.Ones([channels], dtype)));
            Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros([channels], dtype)));
        }
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros([channels], dtype));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones([channels], dtype));
    }

    public int Channels { get; }
    public double Eps { get; }
    public double Momentum { get; }
    public Parameter? Weight { get; }
    public Parameter? Bias { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }

    /// <summary>When set, the running statistics are used and left unchanged even in training mode.</summary>
    public bool StatisticsFrozen { get; set; }

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank < 2 || input.Size(1) != Channels)
            throw new ArgumentException($"BatchNorm2d({Channels}) got input of shape {ShapeUtil.Format(input.Shape)}; dimension 1 must be {Channels}.");
        return Functional.BatchNorm(input, RunningMean, RunningVar, Weight?.Data, Bias?.Data, IsTraining && !StatisticsFrozen, Momentum, Eps);
    }

    public override string TypeName => $"BatchNorm2d({Channels})";
}
