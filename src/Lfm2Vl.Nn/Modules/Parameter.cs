using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Modules;

/// <summary>
/// A trainable tensor owned by a module: a leaf that requires grad (unless frozen) and lives outside every
/// <see cref="TensorScope"/>, so it survives the training steps that use it. Optimizers and state dicts
/// update <see cref="Data"/> in place, so the tensor object never changes under the model.
/// </summary>
public sealed class Parameter
{
    /// <summary>Takes ownership of a leaf tensor (moved out of any open scope).</summary>
    public Parameter(Tensor data, bool requiresGrad = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!data.IsLeaf)
            throw new ArgumentException("A parameter must be a leaf tensor; create it under GradMode.NoGrad() or pass x.Detach().", nameof(data));
        if (!data.DType.IsFloating())
            throw new ArgumentException($"A parameter must be floating-point, got {data.DType.Name()}.", nameof(data));
        Data = data.Persist();
        Data.RequiresGrad = requiresGrad;
    }

    /// <summary>The values (a persistent leaf tensor).</summary>
    public Tensor Data { get; }

    /// <summary>The accumulated gradient, or null before the first backward (or after ZeroGrad).</summary>
    public Tensor? Grad => Data.Grad;

    /// <summary>Whether backward computes a gradient for this parameter and optimizers update it.</summary>
    public bool RequiresGrad
    {
        get => Data.RequiresGrad;
        set
        {
            Data.RequiresGrad = value;
            if (!value) Data.ZeroGrad(); // a frozen parameter keeps no stale gradient
        }
    }

    /// <summary>The opposite of <see cref="RequiresGrad"/>: a frozen parameter is left bit-identical by optimizers.</summary>
    public bool Frozen
    {
        get => !RequiresGrad;
        set => RequiresGrad = !value;
    }

    public void Freeze() => Frozen = true;
    public void Unfreeze() => Frozen = false;

    public int[] Shape => Data.Shape;
    public int Numel => Data.Numel;
    public int Rank => Data.Rank;
    public DType DType => Data.DType;

    public static implicit operator Tensor(Parameter p) => p.Data;

    public override string ToString() => $"Parameter {ShapeUtil.Format(Data.Shape)} {Data.DType.Name()}{(Frozen ? " (frozen)" : "")}";
}
