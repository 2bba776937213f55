namespace Lfm2Vl.Deploy.Graph;

/// <summary>The activation fused into the epilogue of a convolution, linear layer or residual add.</summary>
public enum Activation
{
    None,
    Relu,
    /// <summary>Exact (erf) GELU, as the models' necks use.</summary>
    Gelu,
}
